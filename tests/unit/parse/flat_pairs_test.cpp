// One-line messages: the leading pairs MessageBuilder reads at once are read
// as its tokenizer reads them, field for field and problem for problem. The
// oracle is the tokenizer itself, given the same text behind a word it passes
// over ("(x)"), which keeps the fast reading out of it.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "calltrail/parse/message_builder.hpp"

namespace calltrail::parse {
namespace {

namespace fs = std::filesystem;

struct Read {
  std::string text;
  // key, value, kind, depth, attr, number, end: everything but the offsets.
  std::vector<std::string> fields;
  std::vector<std::string> problems;
};

Read read_tail(std::string_view tail, TlibDetail detail) {
  model::Event e;
  MessageBuilder b;
  b.set_detail(detail);
  b.start(e);
  Read r;
  const ProblemCallback problem = [&](std::string_view code, std::string message) {
    r.problems.push_back(std::string(code) + ": " + message);
  };
  b.add(tail, -1, problem);
  b.finish(problem);
  r.text = e.text();
  for (const model::Field& f : e.fields()) {
    r.fields.push_back(std::string(e.key(f)) + "=" + std::string(e.value(f)) + " kind " +
                       std::to_string(static_cast<int>(f.kind)) + " depth " +
                       std::to_string(f.depth) + " attr " +
                       std::to_string(static_cast<int>(f.attr)) + " number " +
                       std::to_string(f.number) + " end " + std::to_string(f.end));
  }
  return r;
}

// The same tail read by the tokenizer alone.
Read read_by_tokens(std::string_view tail, TlibDetail detail) {
  return read_tail("(x) " + std::string(tail), detail);
}

void expect_same(std::string_view tail) {
  SCOPED_TRACE(std::string(tail));
  const Read fast = read_tail(tail, TlibDetail::Whole);
  const Read tokens = read_by_tokens(tail, TlibDetail::Whole);
  EXPECT_EQ(fast.fields, tokens.fields);
  EXPECT_EQ(fast.text, tokens.text);
  EXPECT_EQ(fast.problems, tokens.problems);
  // A lower detail keeps the same fields but the top-level scalars of
  // attributes model::Attr does not name, in both readings alike once the
  // tokenizer's extra fields are set aside: compare keys and values.
  for (TlibDetail d : {TlibDetail::Keys, TlibDetail::Call}) {
    const Read low = read_tail(tail, d);
    EXPECT_EQ(low.problems, tokens.problems);
    std::size_t k = 0;
    for (const std::string& f : low.fields) {
      const std::string key_value = f.substr(0, f.find(" kind "));
      while (k < tokens.fields.size() &&
             tokens.fields[k].substr(0, tokens.fields[k].find(" kind ")) != key_value)
        ++k;
      EXPECT_LT(k, tokens.fields.size()) << "not read by the tokenizer: " << f;
      ++k;
    }
  }
}

TEST(FlatPairs, ShapesAtTheEdgesReadAsTheTokenizerReadsThem) {
  const std::string l = "\xE2\x80\x98";   // ‘
  const std::string r = "\xE2\x80\x99";   // ’
  const std::string rd = "\xE2\x80\x9D";  // ”
  const std::string nbsp = "\xC2\xA0";
  const std::vector<std::string> tails = {
      "AttributeConnID 006a0240d1e23401 AttributeCallUUID " + l +
          "00MU114OI7UTH5M2DQLKNQPBTN0002NH" + r + " AttributeCallID 14824449",
      "AttributeTimeinSecs 1351517400 (14:30:00) AttributeTimeinuSecs 809055",
      "AttributeThisDN " + l + "4502" + r + " AttributeUserData [139] 00 06 00 00.. " + l +
          "CustomerId" + r + " " + l + "C-014589" + r + " " + l + "Notes" + r + " " + rd,
      "AttributeCustomerID " + l + "Resources" + r,
      "AttributeCustomerID " + l + "it's" + r + " AttributeConnID 0001",
      "AttributeCustomerID " + l + "a " + l + "b" + r + " AttributeConnID 0001",
      "AttributeCustomerID " + l + "a" + r + "b" + r + " AttributeConnID 0001",
      "AttributeCustomerID " + l + "open AttributeConnID 0001",
      "AttributeCustomerID " + l + "x" + r + "(list) AttributeConnID 0001",
      "AttributeCustomerID " + l + "x" + r + " (list) AttributeConnID 0001",
      "AttributeConnID 0001 (list) AttributeCallID 7",
      "AttributeCustomerID " + rd + " AttributeConnID 0001",
      "AttributeCustomerID '' AttributeConnID 0001",
      "AttributeCustomerID 'plain' AttributeConnID 0001",
      "AttributeConnID [long] = 00890 AttributeCallID 3",
      "AttributeConnID = 00890",
      "AttributeConnID AttributeCallID 3",
      "AttributeConnID",
      "AttributeConnID ",
      "Attribute 5",
      "AttributeX KVList: " + l + "k" + r + " " + l + "v" + r,
      "AttributeCallID -1 AttributeConnID +2",
      "AttributeConnID" + nbsp + "0001" + nbsp + "AttributeCallID" + nbsp + "9",
      "AttributeConnID\t0001\tAttributeCallID 9",
      "AttributeCallID 12(34) AttributeConnID 1",
      "AttributeCallID 12 (a b) AttributeConnID 1",
      "AttributeCallID 12 (a) (b) AttributeConnID 1",
      "AttributeOtherDN " + l + "" + r + " AttributeThisDN " + l + "1001" + r,
      "AttributeConnID 006A0240D1E23401",
      "AttributeConnID 6a0240d1e23401",
      "AttributeISLinkList [40] 00 01 00 00.. " + l + "ISLinkID" + r + " " + l + "x" + r,
      "junk AttributeConnID 1",
      "",
  };
  for (const auto& t : tails)
    expect_same(t);
}

// Every one-line message the simulator prints, at every detail.
TEST(FlatPairs, SimulatedOneLineMessagesReadAsTheTokenizerReadsThem) {
  const fs::path dir =
      fs::temp_directory_path() / ("calltrail_flat_pairs_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  const std::string command = std::string(CALLTRAIL_BINARY) + " simulate --out '" + dir.string() +
                              "' --interactions 60 --seed 5 --style flat --quiet";
  ASSERT_EQ(std::system(command.c_str()), 0);
  std::size_t messages = 0;
  for (const auto& f : fs::directory_iterator(dir)) {
    if (f.path().extension() != ".log") continue;
    std::ifstream in(f.path());
    for (std::string line; std::getline(in, line);) {
      const std::size_t m = line.find("message ");
      if (m == std::string::npos) continue;
      const std::size_t name_end = line.find(' ', m + 8);
      if (name_end == std::string::npos) continue;
      expect_same(std::string_view(line).substr(name_end + 1));
      ++messages;
    }
  }
  fs::remove_all(dir);
  EXPECT_GT(messages, 200u);
}

}  // namespace
}  // namespace calltrail::parse
