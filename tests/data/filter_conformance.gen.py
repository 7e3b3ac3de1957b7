"""Writes tests/data/filter_conformance.json, the conformance table over the OData 4.01
expression grammar (tests/filter_conformance.rs runs it): one row per ABNF production of
commonExpr / boolCommonExpr (odata-abnf-construction-rules.txt, section 4, and the JSON
literals of section 5), with valid inputs, invalid inputs and the byte offset where each
must fail, and inputs that parse but that the checker rejects on the record schema.

Many inputs come from the OData ABNF test cases (odata-abnf-testcases.yaml, rules
commonExpr, boolCommonExpr, filter), with their FailAt offsets.

In the rows below, `¦` marks the offset (it is removed from the input):
  invalid: "te¦xt" or ("te¦xt", "code")       -- parse fails at ¦ (with that code)
  checked: ("te¦xt", "code")                  -- parses; the checker answers code at ¦

Run: python3 tests/data/filter_conformance.gen.py
"""
import json
import os
P = []
def row(prod, valid=(), invalid=(), checked=(), note=None):
    P.append((prod, valid, invalid, checked, note))

row("commonExpr", ["Price add 2.45", "(Price add 2.45) mod 2", "(4 add 5) mod (4 sub 1)", "-Price", "concat(concat(Street,'-'),City)"],
    ["¦", "Price add¦", "Price ¦+ 2", "Price add 2.45 ¦2"])
row("boolCommonExpr", ["true eq false", "Name EQ 'Milk' AND Price LT 2.55", "Name Eq 'Milk' OR Price Lt 2.55", "Completed", "Cost ge Revenue"],
    ["Name eq 'Milk' ¦xor true", "Name eq 'Milk' and¦", "(Name eq 'Milk'¦", "kundenName eq 'Søren 😀' ¦xor true"])
row("primitiveLiteral / null, boolean", ["x eq null", "x eq tRUe", "x eq False"], ["x eq ¦nul'l'"])
row("primitiveLiteral / guid", ["x eq 01234567-89ab-cdef-0123-456789abcdef"], ["x eq ¦01234567-89ab-cdef-456789abcdef"])
row("primitiveLiteral / dateTimeOffsetLiteral", ["x eq 2012-09-03T13:52Z", "x eq 2012-09-03T14:53+02:00", "x eq 2012-08-31T18:19:22.1Z"],
    ["x eq ¦2011-12-31T24:00Z", "x eq ¦2012-09-03T14:53"])
row("primitiveLiteral / date", ["x eq 2012-09-03", "x eq 2024-02-29"], ["x eq ¦2023-02-29", "x eq ¦2012-13-01"])
row("primitiveLiteral / timeOfDayLiteral", ["x eq 11:22:33", "x eq 11:22", "x eq 11:22:33.4444444"], ["x eq ¦24:00:00"])
row("primitiveLiteral / decimalLiteral, doubleLiteral", ["x eq 3.14", "x eq -1.234567e3", "x eq 1e-101", "x eq INF", "x eq -INF", "x eq NaN"],
    ["x eq ¦42.", "x eq ¦.1", "x eq ¦-0.314e1e2"])
row("primitiveLiteral / int64Literal", ["x eq 1234567890123456789", "x eq -2"], ["x eq ¦12a"])
row("primitiveLiteral / stringLiteral", ["x eq 'O''Neil'", "x eq ''", "x eq 'Søren ☃'"], ["x eq 'O'¦Neil'", "x eq 'unterminated¦"])
row("primitiveLiteral / durationLiteral", ["x eq duration'P6DT23H59M59.9999S'", "x eq duration'-P1D'"], ["x eq ¦duration'P1Y6D'"])
row("primitiveLiteral / enumLiteral", ["x eq Sales.Pattern'Yellow'", "x eq Sales.Pattern'Yellow,Red'"], ["x eq ¦Pattern'Yellow'"])
row("primitiveLiteral / binaryLiteral", ["x eq binary'Zm9vYmFy'", "x eq binary''"], ["x eq ¦X'1a2B'"],
    checked=[("name eq ¦binary'Zm9v'", "filter.unsupported.literal")], note="the base64url text is kept, not validated")
row("primitiveLiteral / geographyPoint, geometryPolygon …", ["geo.length(geography'SRID=0;LineString(142.1 64.1,3.14 2.78)') gt 1"], ["x eq ¦geograph'SRID=0;Point(1 2)'"],
    note="the well-known text inside the quotes is kept, not validated")
row("arrayOrObject / array", ['["Hello",42,true,false,null,\'World\']', "[FirstName,LastName]", "[]", "[[],{},true]"],
    ["[1 ¦2]", "[1,¦]", "[1, 2¦", "¦]", '["😀" ¦1]'],
    checked=[("status eq ¦['active']", "filter.unsupported.literal")])
row("arrayOrObject / object, member", ['{}', '{"FirstName":"John","LastName":"Doe","Sizes":["Large","Small"]}', '{"FirstName":Customer/FirstName,"Sizes":[1, 2 add 3]}', '{"no property name":"value","@something":true}'],
    ['{¦FirstName:"John"}', '{"a" ¦1}', '{"a":1¦', "{¦'a':1}"],
    checked=[('¦{"a": 1} eq null', "filter.unsupported.literal")])
row("stringInUrl, charInJSON", ['["a\\"b", "c\\\\d", "\\u00e9\\n\\t", "x/y", "\\ud83d\\ude00"]'], ['["a¦\\qb"]', '["abc¦'],
    note="JSON strings stand only inside arrays and objects")
row("valueInUrl (a JSON string stands only inside an array or object)", ['Name in ["Milk"]', '{"k": "v"} eq null'], ['Name eq ¦"Milk"'])
row("rootExpr", ["$root/SalesOrganizations/$count gt 1"], ["$root¦ eq 1", "$root/¦ eq 1"], checked=[("¦$root/Orders/$count gt 1", "filter.unsupported.path")])
row("functionExpr, functionExprParameters, functionExprParameter", ["Model.Available()", "Model.MostPopularName() eq 'x'", "Model.PhoneticallySimilar(Word1=Name,Word2=Supplier/Name)", "Model.Available(complex={\"Name\":\"Value\"})", "Model.ProductsByColor(colors=[\"red\",\"green\"])/$count gt 1"],
    ["Model.Available(¦1)", "Model.Available(color¦)", "Model.Available(color=¦)", "Model.Available(color='x'¦"],
    checked=[("¦Flex.ByColor(color='green')", "filter.function.unknown")])
row("parameterAlias", ["status eq @s", "Model.Available(color=@color)"], ["status eq ¦@"],
    checked=[("status eq ¦@s", "filter.alias.unknown")], note="values come as query parameters (`@s='active'`) and are substituted before checking")
row("negateExpr", ["-Price eq -5", "- -a eq 1", "-(a add 1) lt 0"], ["-¦", "-¦)"])
row("methodCallExpr: indexof, tolower, toupper, trim, substring, concat, length", ["indexof(CompanyName,'lfreds') eq 1", "tolower(CompanyName) eq 'x'", "toupper(x) eq 'X'", "trim(x) eq 'x'", "substring(CompanyName, 5) eq 'x'", "substring(CompanyName,5,2) eq 'x'", "concat(CompanyName, Name) eq 'x'", "length(CompanyName) eq 19", 'length(["Fred","George","Ron"]) eq 3'],
    ["indexof(CompanyName ¦'x')", "tolower(¦)", "substring(x,¦)"])
row("methodCallExpr: matchesPattern", ["matchesPattern(CompanyName,'^A.*e$')"], ["matchesPattern(CompanyName¦"],
    checked=[("¦matchesPattern(name,'^A')", "filter.unsupported.function")])
row("methodCallExpr: year, month, day, hour, minute, second, fractionalseconds, totalseconds, date, time, totaloffsetminutes", ["year(BirthDate) eq 2000", "month(BirthDate) eq 1", "day(BirthDate) eq 1", "hour(BirthDate) eq 1", "minute(BirthDate) eq 1", "second(BirthDate) eq 1", "fractionalseconds(LifeTime) eq 0.5", "totalseconds(LifeTime) eq 1", "date(LifeTime) eq 2020-01-01", "time(ReleaseDate) eq 10:00", "totaloffsetminutes(ReleaseDate) eq 60"],
    ["year(BirthDate eq 2000¦"], checked=[("¦totalseconds(duration'PT1S') eq 1", "filter.unsupported.function")])
row("methodCallExpr: mindatetime, maxdatetime, now", ["maxdatetime() gt now()", "mindatetime() lt now()", "now() gt endDate"], ["now(¦"],
    checked=[("¦maxdatetime() gt endDate", "filter.unsupported.function")])
row("methodCallExpr: round, floor, ceiling", ["round(Price) eq 1", "floor(Price) eq 1", "ceiling(Price) eq 1"], ["round¦)"])
row("methodCallExpr: geo.distance, geo.length, geo.intersects", ["geo.distance(Supplier/Location,Product/Location) lt 10", "geo.length(Line) gt 1", "geo.intersects(Supplier/SalesArea,Product/Location)"],
    ["geo.distance(a,¦)"], checked=[("¦geo.distance(a, b) lt 10", "filter.unsupported.function")])
row("methodCallExpr: hassubset, hassubsequence", ['hassubset(Names,["Milk", "Cheese"])', 'hassubset(["Milk", "Cheese"],Names)', "hassubsequence([4,1,3],[4,3])"],
    ["hassubset([1] ¦[1])"])
row("methodCallExpr: contains, startswith, endswith (boolMethodCallExpr)", ["contains(CompanyName,'lfreds')", "startswith(Supplier/Name,'Futterkiste')", "endswith(CompanyName,'Futterkiste')", 'contains(Names,["Fred","George"])'],
    ["contains(CompanyName,'x'¦", "contains(¦,'x')"])
row("methodCallExpr: case", ["case(Price gt 10: 'high', true: 'low') eq 'low'", "case(true: 1)"], ["case(¦)", "case(true¦, 1)", "case(true: 1 ¦false: 2)"],
    checked=[("¦case(true: 'a') eq 'a'", "filter.unsupported.function")])
row("parenExpr", ["(true)", "( true )", "((a eq 1))"], ["(¦)", "(a eq 1¦", "(a eq 1)¦)"])
row("castExpr, isofExpr, optionallyQualifiedTypeName", ["cast(Model.Customer) eq null", "cast(Customer) eq null", "cast(Category,Model.Customer) eq null", "cast(Category,Edm.Boolean)", "isof(Edm.String)", "isof(Name,Edm.String)", "isof(Names,Collection(Edm.String))"],
    ["cast(¦)", "cast(Category,¦1)", "isof(Name,Edm.String¦,x)"],
    checked=[("¦isof(name, Edm.String)", "filter.unsupported.function")])
row("notExpr", ["not endswith(Name,'ilk')", "NOT (a eq 1)", "not not a"], ["not¦", "not ¦)"])
row("firstMemberExpr, memberExpr, propertyPathExpr", ["Name eq 'Milk'", "Supplier/Name eq 'Milk'", "Address/Street eq 'Hugo'", "lambda/Name eq $it/Name"],
    ["Supplier/¦ eq 1", "Supplier/¦'x' eq 1", "Supplier/¦/Name"])
row("inscopeVariableExpr, implicitVariableExpr ($it, $this)", ["$it/Name eq 'x'", "$this eq 'Hugo'", "endswith($it,'.com')"], ["$it¦(1) eq 1"],
    checked=[("¦$it/nme eq 'x'", "filter.field.unknown")])
row("memberExpr with a type cast (optionallyQualifiedEntityTypeName '/')", ["Model.Customer/Name eq 'x'", "DirectReports/Sales.Manager/any()", "Products/Model.BestProduct()/Model.BestSellingProduct/Name eq 'x'"],
    ["Model.Customer/¦ eq 1", "Model.Customer/¦/Name"], checked=[("partners/¦Flex.Reseller/name eq 'x'", "filter.unsupported.path"), ("¦Model.Available", "filter.unsupported.path")],
    note="a dotted last segment parses as a name, since dynamic attribute names may hold dots (`attributes/tag.env`); the ABNF rejects `Model.Available` at its end (offset 15), flexedge's checker rejects it as a type cast at 0")
row("annotationExpr, annotationInQuery", ["Price/@Measures.Currency eq 'EUR'", "Price/@Currency eq 'EUR'", "Price/@Currency#Reporting eq 'EUR'", "@Core.Messages/any(m:m/severity eq 'error')", "@Messages/any(m:m/severity eq 'error')"],
    ["Price/¦@ eq 'EUR'"], checked=[("customer/¦@Core.Description eq 'x'", "filter.unsupported.annotation")])
row("boundFunctionExpr, complexPathExpr, primitivePathExpr", ["Products/Model.Available()", "Products/Model.BestProduct()/Name eq 'x'", "Products/BestProduct()/MostPopularName() eq 'x'", "Items/Model.MostPopularAddress()/Address/Street eq 'x'", "Products/Model.ProductsByColor(color='green')/Model.MostPopularName() eq 'x'", "Products/Model.ProductsByColor(color=@color)/Model.BestSellingProduct/Model.MostPopularName() eq 'x'"],
    ["Products/Model.Available(¦1)", "Products/Model.Available(x=1¦"], checked=[("items/¦Flex.Best()/name eq 'x'", "filter.unsupported.bound_function")])
row("collectionNavNoCastExpr: keyPredicate", ["Items(1)/Name eq 'x'", "Orders/Items(2)/Name eq 'x'"], ["Orders/Items(2¦"],
    checked=[("¦items(1)/name eq 'x'", "filter.unsupported.path")], note="compound keys (`Items(ID=1,Size=2)`) parse as a function segment with named parameters")
row("collectionPathExpr: count", ["Products/$count gt 0", "Items/Model.MostPopularNames()/$count gt 1", "items/$count ge 2"], ["Products/$count¦/Name eq 1"],
    checked=[("¦name/$count eq 1", "filter.field.not_collection")])
row("collectionPathExpr: count with expandCountOption ($filter)", ["Products/$count($filter=Price gt 5.00) gt 2", "items/$count(filter=quantity gt 1) eq 0"], ["Products/$count(¦Price gt 5) gt 2", "Products/$count($filter ¦Price gt 5) gt 2", "Products/$count($filter=true gt 2¦"],
    note="`$search=` inside `$count(…)` is not covered")
row("filterExpr ($filter segment)", ["Addresses/$filter(endswith(Street,'St'))/$count lt 10", "items/$filter(quantity ge 10)/any()", "items/$filter(quantity ge 10)/$filter(remaining lt 4)/all(i: i/remaining eq 0)"],
    ["items/$filter¦/any()", "items/$filter(¦)/any()", "items/$filter(true)/¦quantity eq 1"])
row("anyExpr, lambdaPredicateExpr", ["Products/any(lambda:true)", "Supplier/Products/any(lambda:true)", "Products/any(lambda:lambda/Completed)", "Products/any()", "DirectReports/Sales.Manager/any()", "Products/ANY(x: x/a eq 1)"],
    ["any¦()", "Products/any(¦1: true)", "Products/any(x ¦true)", "Products/any(x: true¦"])
row("allExpr", ["Products/all(lambda:true)", "EmailAddresses/all(lambda:true)", "Products/Model.ProductsByColor()/all(lambda:true)"],
    ["all¦(lambda:true)", "Products/all(¦)"], note="`Products/all()`: the ABNF test tool reports offset 14 (the end); flexedge reports the `)` at 13, the first character that cannot continue")
row("listExpr", ["FirstName in ('Miller','Smith')", "FirstName in ()", "x in (1)", "x in (null, -INF, 2024-01-01)"],
    ["FirstName in (FirstName¦,LastName)", "x in (1, ¦y)", "x in (1,¦)", "x in (1¦"])
row("inExpr (commonExpr on the right)", ['FirstName in ["Miller","Smith"]', "FirstName in [\"Miller\",'Smith']", "FirstName in []", "FirstName in (FirstName)", '["Joe","Smith"] in [["John","Doe"],["Jane","Smith"]]', "FirstName in Names"],
    ["FirstName in¦", "EmailAddresses eq ('Miller'¦,'Smith')"], checked=[("status in ¦'active'", "filter.type.mismatch")])
row("andExpr, orExpr", ["true and false", "true or false", "a and b and c or d"], ["a and¦", "a AND¦"])
row("eqExpr, neExpr, ltExpr, leExpr, gtExpr, geExpr", ["Name eq 'Milk'", "Name ne 'Milk'", "Name lt 'Milk'", "Name le 'Milk'", "Name gt 'Milk'", "Name ge 'Milk'"], ["Name eq¦", "Name ¦== 'Milk'"])
row("hasExpr", ["style has Sales.Pattern'Yellow'", "style has Sales.Pattern'32'", "style has 'Yellow'"], ["style has ¦Yellow", "style has ¦1"])
row("addExpr, subExpr, mulExpr, divExpr, divbyExpr, modExpr", ["Price add 2.45 eq 5.00", "Price sub 0.55 eq 2.00", "Price mul 2.0 eq 5.10", "Price div 2.55 eq 1", "Rating divby 2 eq 2.5", "Rating mod 5 eq 0"], ["Price add¦", "Price ¦plus 1"])

rows=[]
for prod, valid, invalid, checked, note in P:
    r={"production": prod, "valid": [], "invalid": []}
    for v in valid:
        r["valid"].append(v)
    for i in invalid:
        code=None
        if isinstance(i, tuple): i, code = i
        at=len(i.split('¦')[0].encode())
        text=i.replace('¦','',1).replace('¦','')
        d={"input": text, "at": at}
        if code: d["code"]=code
        r["invalid"].append(d)
    if checked:
        r["checked"]=[]
        for t, code in checked:
            at=len(t.split('¦')[0].encode())
            r["checked"].append({"input": t.replace('¦',''), "at": at, "code": code})
    if note: r["note"]=note
    rows.append(r)
out=json.dumps(rows, ensure_ascii=False, indent=1)
open(os.path.join(os.path.dirname(os.path.abspath(__file__)), 'filter_conformance.json'), 'w').write(out + "\n")
print(len(rows), sum(len(r['valid']) for r in rows), sum(len(r['invalid']) for r in rows))
