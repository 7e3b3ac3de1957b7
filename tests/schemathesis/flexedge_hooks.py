"""Schemathesis hooks for flexedge (loaded through SCHEMATHESIS_HOOKS by
scripts/schemathesis.sh).

The OpenAPI document gives the query language's parameters formats of their own
(`odata-filter`, `flexedge-sort`, `flexedge-select`, `flexedge-group-by`, the `/odata`
options' `odata-select`, `odata-search`, `odata-apply`, `odata-format`,
`flexedge-group-sort`, `flexedge-next`, `flexedge-record-id`): not every string is a
filter, and a schema cannot state a grammar. These strategies generate valid instances of
each, over the fields of the normalized record (src/model/row.rs), so that schemathesis'
positive tests send requests the API must accept, and its negative tests (wrong types,
out-of-range numbers, unknown enum values, missing required parameters) still check that
everything else is refused.
"""

import schemathesis
from hypothesis import strategies as st

STRINGS = [
    "id", "source", "sourceId", "kind", "orderRef", "name", "customer/id", "customer/name",
    "billingAccount/id", "billingAccount/name", "contact/name", "contact/email",
    "contact/phone", "contact/department", "status",
]
DATES = ["startDate", "endDate", "createdAt", "updatedAt"]
SINGLE = STRINGS + DATES + ["isPermanent"]
COLLECTION_FIELDS = [
    "partners/role", "partners/id", "partners/name", "partners/tier", "items/productName",
    "items/productVersion", "items/partNumber", "items/quantity", "items/remaining",
    "items/activationId", "items/status", "items/orderType", "items/startDate", "items/endDate",
    "devices/id", "devices/mac", "devices/serial", "devices/model", "devices/type",
]
SELECTABLE = SINGLE + COLLECTION_FIELDS + ["customer", "contact", "partners", "items", "devices", "attributes"]
STATUSES = ["draft", "active", "inactive", "expired", "obsolete", "unknown"]
SOURCES = ["hpe_flex", "fno_orders", "fno_entitlements", "telecomx_flexcare"]
KINDS = ["order", "line_item", "entitlement", "device"]

# Text inside a quoted OData string: letters, digits, spaces and a doubled quote.
words = st.text(alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 -'", max_size=12).map(
    lambda s: s.replace("'", "''")
)
dates = st.dates().map(lambda d: d.isoformat())
years = st.integers(min_value=1900, max_value=2100)

atoms = st.one_of(
    st.builds(lambda f, op, v: f"{f} {op} '{v}'", st.sampled_from(STRINGS), st.sampled_from(["eq", "ne"]), words),
    st.builds(lambda op, v: f"status {op} '{v}'", st.sampled_from(["eq", "ne"]), st.sampled_from(STATUSES)),
    st.builds(lambda v: f"kind eq '{v}'", st.sampled_from(KINDS)),
    st.builds(
        lambda vs: "source in (" + ", ".join(f"'{v}'" for v in vs) + ")",
        st.lists(st.sampled_from(SOURCES), min_size=1, max_size=4, unique=True),
    ),
    st.builds(lambda f, op, d: f"{f} {op} {d}", st.sampled_from(DATES), st.sampled_from(["gt", "ge", "lt", "le"]), dates),
    st.builds(lambda f, v: f"{f}(tolower(customer/name), '{v.lower()}')", st.sampled_from(["contains", "startswith", "endswith"]), words),
    st.builds(lambda f, y: f"year({f}) eq {y}", st.sampled_from(DATES), years),
    st.builds(lambda f: f"{f} eq null", st.sampled_from(STRINGS + DATES)),
    st.builds(lambda b: f"isPermanent eq {b}", st.sampled_from(["true", "false"])),
    st.builds(lambda r: f"partners/any(p: p/role eq '{r}')", st.sampled_from(["reseller", "distributor", "partner", "channel"])),
    st.builds(lambda n: f"items/any(i: i/quantity ge {n})", st.integers(min_value=0, max_value=1000)),
    st.builds(lambda v: f"devices/any(d: startswith(d/model, '{v}'))", words),
)
filters = st.one_of(
    atoms,
    st.builds(lambda a, op, b: f"{a} {op} {b}", atoms, st.sampled_from(["and", "or"]), atoms),
    st.builds(lambda a, b: f"not ({a}) and {b}", atoms, atoms),
)


def comma_list(elements, max_size):
    return st.lists(elements, min_size=1, max_size=max_size, unique=True).map(", ".join)


direction = st.sampled_from(["", " asc", " desc"])
sorts = st.lists(st.sampled_from(SINGLE), min_size=1, max_size=3, unique=True).flatmap(
    lambda fs: st.tuples(*[direction for _ in fs]).map(lambda ds: ", ".join(f + d for f, d in zip(fs, ds)))
)

schemathesis.openapi.format("odata-filter", filters)
schemathesis.openapi.format("flexedge-sort", sorts)
schemathesis.openapi.format("flexedge-select", comma_list(st.sampled_from(SELECTABLE), 6))
schemathesis.openapi.format("flexedge-group-by", comma_list(st.sampled_from(SINGLE + COLLECTION_FIELDS), 8).map(lambda s: s.replace(" ", "")))
# A transform sorts its groups by `count` (a group-by path would have to be one of the
# request's own group-by paths, which a parameter's strategy cannot see).
schemathesis.openapi.format("flexedge-group-sort", st.sampled_from(["count", "count asc", "count desc"]))
# A continuation token is valid only for the query it came from: without a previous answer
# the one valid value is the first page (blank). Tokens from answers are followed by the
# stateful phase through the document's links.
schemathesis.openapi.format("flexedge-next", st.just(""))
# An id is `<source>:<sourceId>` (an unknown one is a 404).
schemathesis.openapi.format(
    "flexedge-record-id",
    st.builds(lambda s, i: f"{s}:{i}", st.sampled_from(SOURCES), st.text(alphabet="abcdef0123456789-", min_size=1, max_size=36)),
)

# ---- the OData service (/odata) ------------------------------------------------------
# Its options take the same grammar as the native parameters ($filter, $orderby, $select
# map onto filter, sort, select); the others get strategies of their own.
words_only = st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=8)
schemathesis.openapi.format(
    "odata-search",
    st.one_of(
        words_only,
        st.builds(lambda a, op, b: f"{a} {op} {b}", words_only, st.sampled_from(["AND", "OR"]), words_only),
        st.builds(lambda a: f'"{a} {a}"', words_only),
        st.builds(lambda a, b: f"NOT {a} AND {b}", words_only, words_only),
    ),
)
schemathesis.openapi.format(
    "odata-apply",
    st.one_of(
        st.builds(lambda ps: f"groupby(({ps}))", comma_list(st.sampled_from(SINGLE), 3).map(lambda s: s.replace(" ", ""))),
        st.builds(lambda ps: f"groupby(({ps}),aggregate($count as n))", comma_list(st.sampled_from(SINGLE), 3).map(lambda s: s.replace(" ", ""))),
        st.builds(lambda f, ps: f"filter({f})/groupby(({ps}))", filters, comma_list(st.sampled_from(SINGLE), 2).map(lambda s: s.replace(" ", ""))),
        st.just("aggregate($count as n)"),
    ),
)
schemathesis.openapi.format(
    "odata-format",
    st.sampled_from(["json", "application/json", "application/json;odata.metadata=minimal",
                     "application/json;odata.metadata=none", "application/json;odata.metadata=full"]),
)
schemathesis.openapi.format("odata-select", st.one_of(st.just("*"), comma_list(st.sampled_from(SELECTABLE), 6)))


@schemathesis.hook
def before_call(ctx, case, **kwargs):
    """`$apply` answers groups, which have only their group-by paths and aggregates: a
    `$select` or an `$orderby` over the record's fields does not apply to them (a 400), and
    an OpenAPI document cannot say that two parameters exclude each other. With `$apply`
    in a query, those two are left out (string options with no constraint a negative case
    could break, so no negative case loses what made it invalid)."""
    query = case.query
    if case.operation.path.startswith("/odata/") and query and "$apply" in query:
        for option in ("$select", "$orderby"):
            query.pop(option, None)
