// jemalloc's options, read when it starts (before main): memory it takes from
// the system is marked for transparent huge pages (the system's setting
// "madvise" is enough), so a scan that keeps hundreds of megabytes of legs
// takes a few hundred page faults instead of tens of thousands. MALLOC_CONF
// in the environment still overrides these. Linked only with jemalloc
// (CMakeLists.txt, CALLTRAIL_JEMALLOC).
extern "C" {
// NOLINTNEXTLINE: the name and type are jemalloc's interface.
extern const char* malloc_conf;
const char* malloc_conf = "thp:always,metadata_thp:always";
}
