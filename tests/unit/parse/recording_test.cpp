// The recording requests the parser recognises (parse/recording.hpp): the
// edges that the golden case (tests/cases/events/recording_sip_server.log)
// does not show.
#include "calltrail/parse/recording.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "calltrail/parse/sip_message.hpp"

namespace calltrail::parse {
namespace {

std::string scan(const std::vector<std::string>& body) {
  MsmlScanner s;
  s.clear();
  for (const auto& line : body)
    s.line(line);
  return s.token();
}

TEST(UriRecording, NeedsTheRecordParameter) {
  EXPECT_EQ(uri_recording_params("sip:msml=5f2a@10.0.0.5;dn=7001;record=source"),
            "dn=7001;record=source");
  EXPECT_EQ(uri_recording_params("sip:msml=5f2a@10.0.0.5;dn=7001;record"), "dn=7001;record");
  EXPECT_EQ(uri_recording_params("sip:annc@10.0.0.5;RECORD=mixed"), "RECORD=mixed");
  EXPECT_EQ(uri_recording_params("sip:1002@10.0.0.5;transport=udp"), "");
  EXPECT_EQ(uri_recording_params("sip:1002@10.0.0.5"), "");
  // A parameter whose name only begins with "record", and URI headers.
  EXPECT_EQ(uri_recording_params("sip:1002@10.0.0.5;recorder=x"), "");
  EXPECT_EQ(uri_recording_params("sip:1002@10.0.0.5?record=1"), "");
  // A value that would end the token is kept in one piece.
  EXPECT_EQ(uri_recording_params("sip:a@b;record=a b"), "record=a_b");
  // An empty value is a parameter by its name (a fuzzed URI once threw here).
  EXPECT_EQ(uri_recording_params("sip:a;record="), "record");
  EXPECT_EQ(uri_recording_params("sip:a;record=;=x;af"), "record;af");
  EXPECT_EQ(uri_recording_params("sip:a;dn=;RECORD"), "dn;RECORD");
}

TEST(MsmlScanner, RecordStartsAndDialogendEnds) {
  EXPECT_EQ(scan({"<msml version='1.1'>", "<dialogstart target='conn:1'>",
                  "<record dest='file://r.wav' format='audio/wav'/>", "</dialogstart></msml>"}),
            "start/msml;dest=file://r.wav;format=audio/wav");
  EXPECT_EQ(scan({R"(<msml version="1.1"><dialogend id="conn:1/dialog:rec"/></msml>)"}),
            "end/msml;id=conn:1/dialog:rec");
}

TEST(MsmlScanner, OtherBodiesAndElementsAreNotRecording) {
  // Not MSML: an SDP or XML body that merely holds the word.
  EXPECT_EQ(scan({"v=0", "a=record:on"}), "");
  EXPECT_EQ(scan({"<record dest='x'/>"}), "");
  // MSML whose elements only begin with "record".
  EXPECT_EQ(
      scan({"<msml>", "<recordexit><send target='source' event='done'/></recordexit>", "</msml>"}),
      "");
  // An attribute whose name ends in "dest" is not dest; an unclosed quote gives nothing.
  EXPECT_EQ(scan({"<msml><record xdest='a' dest='b'/>"}), "start/msml;dest=b");
  EXPECT_EQ(scan({"<msml><record dest='open"}), "start/msml");
}

model::Event request(const std::string& name) {
  model::Event e;
  e.kind = model::MessageKind::Request;
  e.name = name;
  return e;
}

void scalar(model::Event& e, const std::string& key, const std::string& value) {
  append_attribute(e, key, model::Attr::Other, value);
}

// AttributeExtensions with the given pairs.
void extensions(model::Event& e, const std::vector<std::pair<std::string, std::string>>& pairs) {
  const auto index = static_cast<std::uint32_t>(e.fields().size());
  scalar(e, "AttributeExtensions", "");
  e.mutable_fields()[index].kind = model::ValueKind::List;
  for (const auto& [k, v] : pairs) {
    scalar(e, k, v);
    e.mutable_fields().back().depth = 1;
  }
  e.mutable_fields()[index].end = static_cast<std::uint32_t>(e.fields().size());
}

TEST(TlibRecording, PrivateServiceAndExtensions) {
  auto e = request("RequestPrivateService");
  scalar(e, "AttributePrivateMsgID", "GSIP_RECORD_STOP");
  EXPECT_EQ(tlib_recording(e), "stop/private");

  e = request("RequestPrivateService");
  scalar(e, "AttributePrivateMsgID", "GSIP_RECORD_START");
  extensions(e, {{"record", "destination"}, {"id", "R 1"}, {"dest", "sip:rec@host"}});
  EXPECT_EQ(tlib_recording(e), "start/private;record=destination;id=R_1;dest=sip:rec@host");

  e = request("RequestRouteCall");
  extensions(e, {{"record", "disable_destination"}});
  EXPECT_EQ(tlib_recording(e), "stop/extensions;record=disable_destination");
}

TEST(TlibRecording, OtherMessagesAreNot) {
  auto e = request("RequestPrivateService");
  scalar(e, "AttributePrivateMsgID", "4001");  // another private service
  EXPECT_EQ(tlib_recording(e), "");
  e = request("RequestRouteCall");
  extensions(e, {{"record", "sometimes"}});
  EXPECT_EQ(tlib_recording(e), "");
  // An event that repeats the extensions does not ask for anything.
  e = request("EventRouteUsed");
  e.kind = model::MessageKind::Event;
  extensions(e, {{"record", "source"}});
  EXPECT_EQ(tlib_recording(e), "");
}

}  // namespace
}  // namespace calltrail::parse
