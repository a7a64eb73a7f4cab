#!/usr/bin/python3
"""Builds the ads example's data from the shared click log ctr_100k.csv (generated data, no
third-party terms; see ../../../shared/data/README.md).

  clicks_train.csv   rows 1-30,000 of the log: what `keel train` learns the click model from
  ad_requests.csv    rows 60,001-70,000 (before the log's drift point), cut into 1,000
                     requests of 10 candidate ads each, with a request_id and the request's
                     reserve price (floor fee), and the logged outcome `clicked`
  candidates.csv     the first 20 requests of ad_requests.csv without the outcome: what an ad
                     server would send `keel rank`

Standard library only, deterministic. Run from anywhere:
  /usr/bin/python3 examples/ads/make_data.py [path/to/ctr_100k.csv]
"""
import csv
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "../../../shared/data/ctr_100k.csv")
CANDIDATES_PER_REQUEST = 10
RESERVE = "0.25"  # the publisher's floor: ads bidding less are never shown


def main():
    with open(SOURCE, newline="") as f:
        reader = csv.reader(f)
        header = next(reader)
        rows = list(reader)
    assert len(rows) == 100000, len(rows)

    with open(os.path.join(HERE, "clicks_train.csv"), "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows[:30000])

    log = rows[60000:70000]
    out_header = ["request_id", "reserve"] + header
    requests = []
    for i, row in enumerate(log):
        requests.append(["r%05d" % (i // CANDIDATES_PER_REQUEST + 1), RESERVE] + row)
    with open(os.path.join(HERE, "ad_requests.csv"), "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(out_header)
        w.writerows(requests)

    clicked = out_header.index("clicked")
    with open(os.path.join(HERE, "candidates.csv"), "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(out_header[:clicked] + out_header[clicked + 1:])
        for r in requests[:20 * CANDIDATES_PER_REQUEST]:
            w.writerow(r[:clicked] + r[clicked + 1:])


if __name__ == "__main__":
    main()
