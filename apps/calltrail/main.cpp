#include "calltrail/cli/cli.hpp"

int main(int argc, char** argv) { return calltrail::cli::run(argc, argv); }
