// Reading manifests: CSV (quotes, a BOM, columns in any order and case),
// JSON lines and recording metadata; records that cannot be taken are
// problems with their line, and the rest still counts.
#include "calltrail/recordings/manifest.hpp"

#include <gtest/gtest.h>

namespace calltrail::recordings {
namespace {

TEST(Manifest, CsvWithQuotesBomAndColumnsInAnyOrder) {
  const Manifest m = read_manifest(
      "\xEF\xBB\xBF"
      "Call_UUID,recording_id,Media,conn_id\r\n"
      "AAA1,rec-1,\"s3://bucket/a,b.wav\",006a0229a97fe903\r\n"
      "\r\n"
      "BBB2,\"rec \"\"2\"\"\",\"two\nlines\",\n"
      "CCC3,rec-3\n");
  EXPECT_EQ(m.form, ManifestForm::Csv);
  EXPECT_TRUE(m.error.empty()) << m.error;
  ASSERT_EQ(m.recordings.size(), 3u);
  EXPECT_EQ(m.recordings[0].recording_id, "rec-1");
  EXPECT_EQ(m.recordings[0].call_uuid, "AAA1");
  EXPECT_EQ(m.recordings[0].media, "s3://bucket/a,b.wav");
  EXPECT_EQ(m.recordings[0].conn_id, "006a0229a97fe903");
  EXPECT_EQ(m.recordings[0].line, 2u);
  EXPECT_EQ(m.recordings[1].recording_id, "rec \"2\"");
  EXPECT_EQ(m.recordings[1].media, "two\nlines");
  EXPECT_EQ(m.recordings[1].line, 4u);
  EXPECT_EQ(m.recordings[2].line, 6u);
  // The last record has 2 of the header's 4 fields: taken, and said.
  ASSERT_EQ(m.problems.size(), 1u);
  EXPECT_EQ(m.problems[0].line, 6u);
}

TEST(Manifest, CsvWithoutTheRequiredColumnsIsAnError) {
  const Manifest m = read_manifest("id,uuid\nrec-1,AAA\n");
  EXPECT_NE(m.error.find("recording_id"), std::string::npos) << m.error;
  EXPECT_TRUE(m.recordings.empty());
}

TEST(Manifest, JsonLinesWithBadLinesKeepTheRest) {
  const Manifest m = read_manifest(
      "{\"recording_id\":\"r1\",\"call_uuid\":\"U1\",\"site\":\"A@B\"}\n"
      "not json\n"
      "{\"recording_id\":\"r3\"}\n"
      "{\"recording_id\":7,\"call_uuid\":\"U4\"}\n"
      "{\"recording_id\":\"r5\",\"call_uuid\":[\"U5\"]}\n");
  EXPECT_EQ(m.form, ManifestForm::JsonLines);
  ASSERT_EQ(m.recordings.size(), 2u);
  EXPECT_EQ(m.recordings[0].site, "A@B");
  EXPECT_EQ(m.recordings[1].recording_id, "7");
  EXPECT_EQ(m.recordings[1].line, 4u);
  ASSERT_EQ(m.problems.size(), 3u);
  EXPECT_EQ(m.problems[0].line, 2u);
  EXPECT_EQ(m.problems[1].line, 3u);
  EXPECT_NE(m.problems[1].message.find("call_uuid"), std::string::npos);
  EXPECT_EQ(m.problems[2].line, 5u);
}

TEST(Manifest, RecordingMetadataGivesOneRecordingPerMediaFile) {
  const Manifest m = read_manifest(R"({
    "id": "0a1b2c",
    "mediaFiles": [
      {"callUUID": "U1", "parameters": {"connId": "006a0229a97fe903"},
       "startTime": "2012-10-29T13:30:26Z", "stopTime": "2012-10-29T13:34:39Z",
       "mediaUri": "https://recordings/0a1b2c/1"},
      {"callUUID": "U2", "parameters": {}}
    ]
  })");
  EXPECT_EQ(m.form, ManifestForm::Gir);
  ASSERT_EQ(m.recordings.size(), 2u);
  EXPECT_EQ(m.recordings[0].recording_id, "0a1b2c");
  EXPECT_EQ(m.recordings[0].call_uuid, "U1");
  EXPECT_EQ(m.recordings[0].conn_id, "006a0229a97fe903");
  EXPECT_EQ(m.recordings[0].start, "2012-10-29T13:30:26Z");
  EXPECT_EQ(m.recordings[0].media, "https://recordings/0a1b2c/1");
  EXPECT_EQ(m.recordings[1].call_uuid, "U2");
  EXPECT_TRUE(m.problems.empty());
}

TEST(Manifest, NothingThatIsAManifestSaysSo) {
  EXPECT_FALSE(read_manifest("[1, 2]").error.empty());
  const Manifest empty = read_manifest("");
  EXPECT_TRUE(empty.recordings.empty());
  const Manifest binary = read_manifest(std::string("\x00\x01\x02\"x", 5));
  EXPECT_TRUE(binary.recordings.empty());
}

}  // namespace
}  // namespace calltrail::recordings
