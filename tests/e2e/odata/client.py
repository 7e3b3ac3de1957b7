"""Drives flexedge's /odata service with python-odata, a client library that reads the
service's $metadata (CSDL XML), builds entity classes from it and follows @odata.nextLink.

    client.py URL KEY CHECK

prints one JSON object with what it saw; the node tests (tests/e2e/odata*.test.mjs)
compare it with the native API's answers. CHECK is `list` (the Orders entity set queried
with $filter, $orderby and $top through the library's query builder) or `walk` (every
order through server-driven paging, and how many pages the server sent).
"""

import json
import sys

import requests
from odata import ODataService


def main():
    url, key, check = sys.argv[1:4]
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {key}"
    pages = []
    session.hooks["response"].append(lambda r, *a, **k: pages.append(r.url))
    service = ODataService(url, session=session, reflect_entities=True, quiet_progress=True)
    # The entity classes python-odata reflected from $metadata, by entity set.
    orders = service.entities["Orders"]
    out = {"sets": sorted(service.entities)}
    if check == "list":
        q = (
            service.query(orders)
            .filter(orders.status == "active")
            .order_by(orders.endDate.desc(), orders.id.asc())
            .limit(5)
        )
        out["url"] = str(q)
        rows = list(q)
        out["ids"] = [r.id for r in rows]
        out["endDates"] = [r.endDate.isoformat() if r.endDate else None for r in rows]
        out["endDateType"] = type(rows[0].endDate).__name__ if rows else None
        out["customerType"] = type(rows[0].customer).__name__ if rows else None
    elif check == "walk":
        before = len(pages)
        ids = [r.id for r in service.query(orders)]
        out["count"] = len(ids)
        out["distinct"] = len(set(ids))
        out["requests"] = len(pages) - before
        out["nextLinks"] = sum(1 for u in pages[before:] if "skiptoken" in u)
    else:
        raise SystemExit(f"unknown check {check}")
    print(json.dumps(out))


if __name__ == "__main__":
    main()
