#!/usr/bin/env python3
"""Writes the small files of the hostile-input corpus (tests/cases/hostile).

Each file is one class of input a careless user or an attacker could give
calltrail. The big ones (deep nesting, a million attributes, a huge line,
a FIFO, non-UTF-8 file names) are made by tests/unit/cli/hostile_input_test.cpp
at test time instead of being committed. Run from this folder after a change;
review the diff.
"""
import gzip
import io

BAD = b"\xff\xfe\xc3\x28\xe2\x82\xed\xa0\x80\xf4\x90\x80\x80\xc0\xaf"  # every kind of invalid UTF-8

HEADER = (b"Application name:\tTserverH\nApplication type:\tTServer\nHost name:\thost.example\n"
          b"Local time:\t2012-10-29T09:00:00.000\nStart time (UTC):\t2012-10-29T14:00:00.000\n"
          b"Time zone:\t18000\n")


def message(name, attrs, time=b"@09:41:00.5404"):
    out = time + b" [0] 8.1.001.05 distribute_event: message " + name + b"\n"
    for k, v in attrs:
        out += b"\t" + k + b"\t" + v + b"\n"
    return out


def call(seq, conn=b"009a021843038407", uuid=b"'01AE904GK088LFQD2CGB02LAES0000EP'",
         name=b"EventRinging", time=b"@09:41:00.5404"):
    return message(name, [(b"AttributeEventSequenceNumber", seq), (b"AttributeConnID", conn),
                          (b"AttributeCallUUID", uuid), (b"AttributeThisDN", b"'7001'")], time)


files = {}

files["nul_bytes.log"] = HEADER + call(b"0000000000000001") + (
    b"@09:41:01.0000 [0] 8.1.001.05 distribute_event: message EventDialing\x00\x00\n"
    b"\tAttributeConnID\t009a02\x0018430384\n\tAttributeThisDN\t'70\x0001'\n\x00\x00\x00\n"
    b"\t'key\x00'\t'v\x00'\n")

files["cr_only.log"] = (HEADER + call(b"0000000000000001") + call(b"0000000000000002")).replace(
    b"\n", b"\r")

files["crlf_and_mixed.log"] = HEADER.replace(b"\n", b"\r\n") + call(b"1") + call(b"2").replace(
    b"\n", b"\r")

files["invalid_utf8_everywhere.log"] = (
    b"Application name:\tTs" + BAD + b"\nApplication type:\t" + BAD + b"\nHost name:\th" + BAD +
    b"\nLocal time:\t2012-10-29T09:00:00.000\nTime zone:\t18000\n" +
    message(b"EventRinging", [(b"AttributeConnID", b"009a02184303" + BAD),
                              (b"AttributeCallUUID", b"'uuid" + BAD + b"'"),
                              (b"AttributeThisDN", b"'70" + BAD + b"'"),
                              (b"AttributeOtherDN", BAD),
                              (b"Attribute" + BAD, b"'x'"),
                              (b"AttributeUserData", b"[20] 00 01 00 00.."),
                              ]) +
    b"\t\t'k" + BAD + b"'\t'v" + BAD + b"'\n" +
    b"@09:41:01.0000 [" + BAD + b"] 8.1" + BAD + b" distribute_event" + BAD +
    b": message EventDialing" + BAD + b"\n\tAttributeConnID\t009a021843038407\n" +
    b"09:41:02.000: SIPTR: Received [0,UDP] 999 bytes from 10." + BAD + b":5060 <<<<<\n"
    b"INVITE sip:" + BAD + b"@host SIP/2.0\nCall-ID: call" + BAD + b"@h\nFrom: <sip:" + BAD +
    b"@h>;tag=" + BAD + b"\nTo: " + BAD + b"\nX-Genesys-CallUUID: " + BAD + b"\nCSeq: 1 " + BAD +
    b"\nReason: " + BAD + b"\nContent-Type: " + BAD + b"\nContent-Length: 4\n\nv=" + BAD + b"\n" +
    b"09:41:02.001: CID:CUUID>call" + BAD + b"@h:uuid" + BAD + b":\n")

files["giant_content_length.log"] = HEADER + (
    b"09:41:02.000: SIPTR: Received [0,UDP] 18446744073709551615 bytes from 10.0.0.1:5060 <<<<<\n"
    b"INVITE sip:1@h SIP/2.0\nCall-ID: a@h\nContent-Length: 99999999999999999999999\n\nv=0\n"
    b"09:41:03.000: SIPTR: Received [0,UDP] 99999999999 bytes from 10.0.0.1:5060 <<<<<\n"
    b"SIP/2.0 200 OK\nCall-ID: b@h\nl: 4294967296\n\n" + b"x" * 1000 + b"\n") + call(b"5")

files["numbers.log"] = HEADER + message(b"EventRinging", [
    (b"AttributeEventSequenceNumber", b"ffffffffffffffff"),
    (b"AttributeConnID", b"ffffffffffffffff"),
    (b"AttributeCallUUID", b"'HOSTILE00000000000000000000000FF'"),
    (b"AttributeTimeinSecs", b"999999999999999"),
    (b"AttributeCallType", b"99999999999999999999999999999999"),
    (b"AttributeCallState", b"-99999999999999999999"),
    (b"AttributeReason", b"-9223372036854775808"),
    (b"AttributeUserData", b"[99999999999999999999999] 00 ff ff 00.."),
]) + b"\t\t'n'\t-1\n" + message(b"EventEstablished", [
    (b"AttributeEventSequenceNumber", b"0"),
    (b"AttributeConnID", b"ffffffffffffffff"),
    (b"AttributeCallUUID", b"'HOSTILE00000000000000000000000FF'"),
    (b"AttributeTimeinSecs", b"-1"),
    (b"AttributeTimeinuSecs", b"99999999999"),
    (b"AttributeTimeStamp", b"ffffffffffffffff"),
], b"@09:41:01.0000")

files["years_out_of_range.log"] = (
    b"Application name:\tTserverY\nLocal time:\t1900-01-01T00:00:00.000\n"
    b"UTC time:\t9999-12-31T23:59:59.999\nTime zone:\t99999999999999999999\n"
    b"0001-01-01T00:00:00.000 Std 20001 very early\n" + call(b"1", time=b"@00:00:01.0000") +
    b"9999-12-31T23:59:59.999 Std 20001 very late\n" + call(b"2", time=b"@23:59:59.9999") +
    message(b"EventReleased", [(b"AttributeConnID", b"009a021843038407"),
                               (b"AttributeCallUUID", b"'01AE904GK088LFQD2CGB02LAES0000EP'"),
                               (b"AttributeTimeinSecs", b"7258118400")]))

files["no_time_at_all.log"] = (
    b"message EventRinging\n\tAttributeConnID\t009a021843038407\n"
    b"\tAttributeCallUUID\t'01AE904GK088LFQD2CGB02LAES0000EP'\n"
    b"received from 65200(SIPTS750)host:7007(fd=) message EventReleased\n"
    b"\tAttributeConnID\t009a021843038407\n")

files["duplicate_headers.log"] = (HEADER + b"Application name:\tOther\nTime zone:\t-19800\n"
                                  b"Host name:\tsecond\nLocal time:\t2013-01-01T00:00:00.000\n" +
                                  message(b"EventRinging", [
                                      (b"AttributeConnID", b"009a021843038407"),
                                      (b"AttributeConnID", b"009a021843038408"),
                                      (b"AttributeCallUUID", b"'A'"),
                                      (b"AttributeCallUUID", b"'B'")]) +
                                  b"09:41:02.000: SIPTR: Received [0,UDP] 80 bytes from 1.2.3.4:5 <<<<<\n"
                                  b"BYE sip:x@h SIP/2.0\nCall-ID: one@h\nCall-ID: two@h\ni: three\n"
                                  b"Content-Length: 0\nContent-Length: 5\n\n")

files["header_only.log"] = HEADER

files["out_of_order_sequence.log"] = HEADER + b"".join(
    call(b"%016x" % n, time=b"@09:41:%02d.0000" % i) for i, n in enumerate([1, 2, 4, 3, 5, 9, 7, 8, 6, 10]))

files["kv_overflow.log"] = HEADER + message(b"EventAttachedDataChanged", [
    (b"AttributeConnID", b"009a021843038407"), (b"AttributeUserData", b"[5] 00 02 00 00..")]) + (
    b"\t\t'a'(list) 'b'(list) 'c'(list) 'd'\t'x'\n"
    b"\t'unindented'\t'y'\n"
    b"\t\t\t\t\t\t\t\t\t\t'deep'\t'z'\n"
    b"\t\t'k'\n"
    b"\t\t'unterminated\n"
    b"\t\t[99] zz zz\n")

files["glued_and_junk.log"] = HEADER + (b"\x01\x02junk" * 50 + b"@09:41:00.5404 [0] 8.1 distribute_event: message EventRinging"
                                        + b" AttributeConnID 009a021843038407 " * 200 + b"\n")

files["one_line_flood.log"] = HEADER + b"@09:41:00.5404 [0] 8.1 distribute_event: message EventRinging AttributeUserData [9] 00 01 00 00.. " + b"'a'(list) " * 5000 + b"'z' 'v'\n"

for name, data in files.items():
    with open(name, "wb") as f:
        f.write(data)

with open("empty.log", "wb"):
    pass

# A gzip file cut in the middle of its stream, and a valid one holding binary garbage.
buf = io.BytesIO()
with gzip.GzipFile(fileobj=buf, mode="wb", mtime=0) as g:
    g.write(HEADER + call(b"1") * 200)
with open("truncated.log.gz", "wb") as f:
    f.write(buf.getvalue()[: len(buf.getvalue()) // 2])
buf = io.BytesIO()
with gzip.GzipFile(fileobj=buf, mode="wb", mtime=0) as g:
    g.write(bytes(range(256)) * 8)
with open("binary_inside.gz", "wb") as f:
    f.write(buf.getvalue())

# Not logs: a JSON file and a binary file (reported once each, no site).
with open("not_a_log.json", "wb") as f:
    f.write(b'{"sites": [], "interactions": [], "note": "12:00:00.000 is not a record here"}\n')
with open("not_a_log.bin", "wb") as f:
    f.write(bytes((i * 37 + 11) % 256 for i in range(4096)))
