#!/usr/bin/env python3
"""Writes the seed corpora of the reader fuzz targets (tests/fuzz/corpus/{csv_reader,
jsonl_reader}/): one small file per seed. The first byte of each file selects the reader
options (see csv_reader_fuzzer.cc / jsonl_reader_fuzzer.cc); the rest is the data. Seeds cover
messy quoting, BOM, CRLF, embedded line breaks, garbage numbers, ragged rows, a large field,
invalid UTF-8, missing tokens, timestamps, booleans and every delimiter, in the style of
tests/data/messy. Run from anywhere: /usr/bin/python3 tests/fuzz/make_reader_corpus.py
"""
import json
import os

HERE = os.path.dirname(os.path.abspath(__file__))

CSV = {
    "plain": (0, b"id,age,city,score\n1,34,Paris,0.5\n2,51,berlin,1.25\n3,,PARIS,2e3\n"),
    "quoting": (1, b'a,b,c\n"x,y","say ""hi""",3\n" padded " , "q" ,4\n"","",5\n'),
    "embedded_newlines": (1, b'id,text\n1,"line one\nline two"\n2,"a\r\nb"\n3,plain\n'),
    "bom_crlf": (0, b"\xef\xbb\xbfname,value\r\nA,1\r\nb,2\r\n\r\nC,3\r\n"),
    "semicolon_decimal_comma": (2, b"a;b;c\n1,5;x;2024-01-02\n2,5;y;2024-01-03\n"),
    "tab_sniffed": (0, b"k\tv\tflag\nx\t1\ttrue\ny\t2\tFALSE\nz\t\tTrue\n"),
    "pipe": (4, b"a|b\n1|2\n3|4\n|\n"),
    "no_header": (16, b"1,2.5,x\n3,4.5,y\n5,6.5,z\n"),
    "header_sniff_numbers": (0, b"1,2\n3,4\n5,6\n"),
    "garbage_numbers": (0, b"v,w\n1,a\n2,b\n#REF!,c\n4,d\n5,e\n6,f\n1e999,g\n--5,h\n0x1F,i\n"
                           b"+5,j\n 12 ,k\n.5,l\n5.,m\n1.8895E+3,n\n9007199254740993,o\n"
                           b"12345678901234567890123,p\n0.000000000000000000000001,q\n"
                           b"1e-400,r\n"),
    "ragged_rows": (0, b"a,b,c\n1,2,3\n1,2\n1,2,3,4\n\n,,\n1,2,3,\n"),
    "missing_tokens": (128, b"a,b\nNA,1\nN/A,2\nnull,3\nNULL,4\nNaN,5\n?,6\n  ,7\n-,8\nnone,9\n"),
    "unterminated_quote": (0, b'a,b\n1,2\n3,"never closed\n4,5\n'),
    "text_after_quote": (0, b'a,b\n"x"y,1\n"ok",2\n'),
    "stray_quote": (0, b'a,b\nab"c,1\nd"e"f,2\n'),
    "invalid_utf8": (0, b"a,b\nok,1\nbad\xff\xfe,2\n\xc3\xa9t\xc3\xa9,3\n\xed\xa0\x80,4\n"
                        b"\xc3,5\n"),
    "invalid_utf8_header": (0, b"a\xff,b\n1,2\n"),
    "duplicates": (64, b"a,b\n1,x\n1,x\n2,y\n1,x\n2,Y\n"),
    "case_categories": (32, b"answer,n\nYes,1\nyes,2\nYES,3\nNo,4\n no ,5\n"),
    "timestamps": (0, b"t,v\n2024-01-01T00:00:05.222Z,1\n2024-02-29 10:00,2\n2023-02-29,3\n"
                      b"2024-01-01T25:00:00Z,4\n2024-01-01T00:00:00+05:30,5\n"),
    "header_only": (0, b"a,b,c\n"),
    "truncated_last_line": (0, b"a,b,c\n1,2,3\n4,5"),
    "trailing_delimiter": (0, b"a,b,c\n1,2,"),
    "large_field": (0, b"a,b\n" + b'"' + b"x" * 3000 + b'",1\n' + b"y" * 2000 + b",2\n"),
    "blank_lines": (8, b"\n\n a , b \n\n1,2\n\n\n3,4\n\n"),
    "only_quotes": (0, b'"""""\n"\n""\n'),
    "duplicate_header_names": (0, b"a,a,,a\n1,2,3,4\n"),
    "pii_like": (0, b"email,phone,name\nann@example.com,+1 555 123 4567,Ann Lee\n"
                    b"bob@example.org,+44 20 7946 0958,Bob Stone\n"),
    "crlf_quoted_cr": (1, b'a,b\r\n"x\r",1\r\n"\r\n",2\r\ny\r,3\r\n'),
}

JSONL = {
    "plain": (0, [{"id": 1, "age": 34, "city": "Paris"}, {"id": 2, "age": 51.5, "city": "berlin"}]),
    "types": (0, [{"b": True, "n": None, "s": "42", "t": "2024-01-01T00:00:00Z"},
                  {"b": False, "s": "NA", "arr": [1, 2], "obj": {"k": "v"}}]),
    "missing_keys": (0, [{"a": 1}, {"b": 2}, {"a": 3, "b": 4, "c": 5}]),
    "repeated_key": (0, ['{"a": 1, "a": 2}', '{"a": 3}']),
    "bad_lines": (0, ['{"a": 1}', "not json", "[1,2,3]", '"string"', '{"a": }', '{"a": 2}']),
    "crlf_blank": (0, ['{"a": 1}\r', "", "   ", '{"a": 2}\r']),
    "unicode": (0, ['{"name": "\\u00e9t\\u00e9", "v": 1}', '{"name": "\\ud83d\\ude00", "v": 2}',
                    b'{"name": "\xff", "v": 3}']),
    "numbers": (0, ['{"v": 1e308}', '{"v": -0.0}', '{"v": 18446744073709551615}',
                    '{"v": -9223372036854775808}', '{"v": 1.5e-320}', '{"v": "1,5"}']),
    "duplicates": (2, [{"a": 1, "b": "x"}, {"a": 1, "b": "x"}, {"a": 2, "b": "y"}]),
    "case_categories": (1, [{"c": "Yes"}, {"c": "yes"}, {"c": " YES "}, {"c": "no"}]),
    "large_string": (0, [{"s": "x" * 3000, "n": 1}, {"s": "y", "n": 2}]),
    "bom": (0, [b"\xef\xbb\xbf" + b'{"a": 1}', '{"a": 2}']),
    "empty_objects": (0, ["{}", "{}", '{"a": null}']),
    "missing_tokens": (4, [{"a": "-"}, {"a": "none"}, {"a": "N/A"}, {"a": 3}]),
    "truncated": (0, ['{"a": 1}', '{"a": 2, "b": "unterminated']),
    "nested_deep": (0, ['{"a": ' + "[" * 50 + "]" * 50 + "}", '{"a": {"b": {"c": [1, {"d": 2}]}}}']),
}


def jsonl_bytes(lines):
    out = []
    for line in lines:
        if isinstance(line, dict):
            line = json.dumps(line)
        if isinstance(line, str):
            line = line.encode()
        out.append(line)
    return b"\n".join(out) + b"\n"


def write(directory, name, flags, data):
    os.makedirs(directory, exist_ok=True)
    with open(os.path.join(directory, name), "wb") as f:
        f.write(bytes([flags]) + data)


for name, (flags, data) in CSV.items():
    write(os.path.join(HERE, "corpus", "csv_reader"), name, flags, data)
for name, (flags, lines) in JSONL.items():
    write(os.path.join(HERE, "corpus", "jsonl_reader"), name, flags, jsonl_bytes(lines))
