using System;
using System.Linq;
using System.Text.Json;
using GraphEmulator.LogAnalytics.Kql;
using Xunit;

namespace SupportAccessLogs.Tests;

/// <summary>
/// Each operator and function the emulator's KQL engine runs for the generated activity and
/// request functions (KqlRules/ActivityKql, KqlRules/RequestLifecycleKql), checked against an
/// example from its page of the Kusto documentation
/// (cited above each test), through <see cref="KqlEngine.Run"/> (the engine the query API runs,
/// with <c>datatable</c> and <c>print</c>, which the engine supports for these examples only).
/// Where a page's example uses what the engine does not run (the StormEvents sample table,
/// <c>range</c>, arithmetic, <c>strlen</c>, <c>top</c>), the same example is written over a
/// <c>datatable</c> or without that part, as said beside it; the documented result is kept.
/// </summary>
public sealed class KqlEngineExamplesTests
{
    // https://learn.microsoft.com/kusto/query/print-operator ("Print concatenated string")
    [Fact]
    public void Print()
    {
        Answer answer = Run("print banner=strcat(\"Hello\", \", \", \"World!\")");

        Assert.Equal(["banner:string"], answer.Columns);
        Assert.Equal("Hello, World!", answer.Single("banner"));
    }

    // https://learn.microsoft.com/kusto/query/datatable-operator (the example, without its
    // "where strlen(Event) > 4", which keeps every row but two; strlen is not in the engine)
    [Fact]
    public void Datatable_AndExtendOfADynamicMember()
    {
        Answer answer = Run("""
            datatable(Date:datetime, Event:string, MoreData:dynamic) [
                datetime(1910-06-11), "Born", dynamic({"key1":"value1", "key2":"value2"}),
                datetime(1930-01-01), "Enters Ecole Navale", dynamic({"key1":"value3", "key2":"value4"}),
                datetime(1953-01-01), "Published first book", dynamic({"key1":"value5", "key2":"value6"}),
                datetime(1997-06-25), "Died", dynamic({"key1":"value7", "key2":"value8"}),
            ]
            | extend key2 = MoreData.key2
            """);

        Assert.Equal(["Date:datetime", "Event:string", "MoreData:dynamic", "key2:dynamic"], answer.Columns);
        Assert.Equal(["Born", "Enters Ecole Navale", "Published first book", "Died"], answer.Strings("Event"));
        Assert.Equal(["\"value2\"", "\"value4\"", "\"value6\"", "\"value8\""], answer.Strings("key2"));
        Assert.Equal("1930-01-01T00:00:00.0000000Z", answer.Strings("Date")[1]);
        Assert.Equal("{\"key1\":\"value3\",\"key2\":\"value4\"}", answer.Strings("MoreData")[1]);
    }

    // https://learn.microsoft.com/kusto/query/extend-operator ("Column names noted by extend that
    // already exist in the input are removed and appended as their new calculated values"; the
    // page's example subtracts datetimes, which the engine does not)
    [Fact]
    public void Extend_AnExistingNameIsRemovedAndAppended_ALaterColumnSeesAnEarlierOne()
    {
        Answer answer = Run("datatable(a:string, b:string)[\"x\", \"y\"] | extend a = strcat(a, b), c = strcat(a, \"!\")");

        Assert.Equal(["b:string", "a:string", "c:string"], answer.Columns);
        Assert.Equal("xy", answer.Single("a"));
        Assert.Equal("xy!", answer.Single("c"));
    }

    // https://learn.microsoft.com/kusto/query/project-operator ("Potential manipulations using
    // project": the rename, over a datatable for StormEvents; the sum is arithmetic, not in the engine)
    [Fact]
    public void Project_RenamesAndComputes()
    {
        Answer answer = Run("""
            datatable(BeginLocation:string, EventId:long, State:string)["LYDIA", 1, "SC", "ROYAL", 2, "IA"]
            | project StartLocation = BeginLocation, EventId, Where = strcat(State, "!")
            """);

        Assert.Equal(["StartLocation:string", "EventId:long", "Where:string"], answer.Columns);
        Assert.Equal(["LYDIA", "ROYAL"], answer.Strings("StartLocation"));
        Assert.Equal(["SC!", "IA!"], answer.Strings("Where"));
    }

    // https://learn.microsoft.com/kusto/query/sort-operator (the example, "sort by State asc,
    // StartTime desc", over a datatable for StormEvents; and the page's null order: first when
    // ascending, last when descending)
    [Fact]
    public void Sort_ByEachKeyInTurn_NullsFirstAscending()
    {
        Answer answer = Run("""
            datatable(State:string, StartTime:datetime)[
                "ALASKA", datetime(2007-01-01), "ALABAMA", datetime(2007-12-20), "ALABAMA", datetime(2007-12-28)]
            | sort by State asc, StartTime desc
            """);
        Assert.Equal(["ALABAMA", "ALABAMA", "ALASKA"], answer.Strings("State"));
        Assert.Equal("2007-12-28T00:00:00.0000000Z", answer.Strings("StartTime")[0]);

        Assert.Equal(["", "-5", "0", "5"], Run("datatable(x:long)[5, long(null), 0, -5] | order by x asc").Texts("x"));
        Assert.Equal(["5", "0", "-5", ""], Run("datatable(x:long)[5, long(null), 0, -5] | order by x desc").Texts("x"));
        Assert.Equal(["-5", "0", "5", ""], Run("datatable(x:long)[5, long(null), 0, -5] | order by x asc nulls last").Texts("x"));
    }

    // https://learn.microsoft.com/kusto/query/scalar-data-types/null-values ("Null values and the where operator")
    [Fact]
    public void Where_DropsRowsWhosePredicateIsNull()
    {
        Answer answer = Run("datatable(ival:int, sval:string)[5, \"a\", int(null), \"b\"] | where ival != 5");

        Assert.Equal(["", "b"], Assert.Single(answer.Rows).Select(Answer.Text));
    }

    // https://learn.microsoft.com/kusto/query/scalar-data-types/null-values ("Equality and inequality of null values")
    [Fact]
    public void NullValues_ComparisonsOrAndIsnull()
    {
        Answer answer = Run("""
            datatable(val:int)[5, int(null)]
            | extend IsBiggerThan3 = val > 3
            | extend IsBiggerThan3OrNull = val > 3 or isnull(val)
            | extend IsEqualToNull = val == int(null)
            | extend IsNotEqualToNull = val != int(null)
            """);

        Assert.Equal(["5", "true", "true", "false", "true"], answer.Rows[0].Select(Answer.Text));
        Assert.Equal(["", "", "true", "", ""], answer.Rows[1].Select(Answer.Text));
        Assert.Equal(JsonValueKind.Null, answer.Rows[1][1].ValueKind);
    }

    // https://learn.microsoft.com/kusto/query/logical-operators ("Null values"; and "Logical and",
    // "Logical or" over a datatable for StormEvents). The page's table says bool(null) and true is
    // false; the null-values page says null: the engine follows the latter, and both make a
    // condition false, as this example shows.
    [Fact]
    public void LogicalOperators_AndOr()
    {
        Assert.Equal("false", Run("print print=iff(bool(null) and true, true, false)").Single("print"));

        const string Storms = "datatable(EventType:string, State:string)[\"Tornado\", \"KANSAS\", \"Tornado\", \"TEXAS\", \"Thunderstorm Wind\", \"KANSAS\", \"Hail\", \"KANSAS\"]";
        Assert.Equal("1", Run(Storms + " | where EventType == \"Tornado\" and State == \"KANSAS\" | summarize count()").Single("count_"));
        Assert.Equal("3", Run(Storms + " | where EventType == \"Tornado\" or EventType == \"Thunderstorm Wind\" | summarize count()").Single("count_"));
    }

    // https://learn.microsoft.com/kusto/query/not-function (the examples with "or" and "and", over a datatable for StormEvents)
    [Fact]
    public void Not()
    {
        const string Storms = "datatable(EventType:string, State:string)[\"Hail\", \"Alaska\", \"Hail\", \"Texas\", \"Flood\", \"Alaska\", \"Flood\", \"Texas\"]";

        Assert.Equal(["Flood|Texas"], Run(Storms + " | where not(EventType == \"Hail\" or State == \"Alaska\")").Joined());
        Assert.Equal(["Hail|Texas", "Flood|Alaska", "Flood|Texas"], Run(Storms + " | where not(EventType == \"Hail\" and State == \"Alaska\")").Joined());
        Assert.Equal("", Run("print x = not(bool(null))").Single("x"));
    }

    // https://learn.microsoft.com/kusto/query/isnull-function (the page's table of values)
    [Fact]
    public void Isnull()
    {
        Answer answer = Run("print a = isnull(\"\"), b = isnull(\"x\"), c = isnull(parse_json(\"\")), d = isnull(parse_json(\"[]\")), e = isnull(parse_json(\"{}\"))");

        Assert.Equal(["false", "false", "true", "false", "false"], answer.Rows[0].Select(Answer.Text));
    }

    // https://learn.microsoft.com/kusto/query/isnotnull-function (its example "where isnotnull(BeginLat)",
    // over a datatable for StormEvents)
    [Fact]
    public void Isnotnull()
    {
        Answer answer = Run("datatable(BeginLat:real, State:string)[1.5, \"A\", real(null), \"B\"] | where isnotnull(BeginLat)");

        Assert.Equal(["A"], answer.Strings("State"));
    }

    // https://learn.microsoft.com/kusto/query/isnotempty-function (its example, over a datatable
    // for StormEvents; "true if the argument isn't an empty string, and it isn't null")
    [Fact]
    public void Isnotempty()
    {
        Answer answer = Run("""
            datatable(BeginLat:real, BeginLon:real, Name:string)[1.5, 2.5, "both", real(null), 2.5, "no lat", 1.5, real(null), "no lon"]
            | where isnotempty(BeginLat) and isnotempty(BeginLon)
            """);
        Assert.Equal(["both"], answer.Strings("Name"));

        Assert.Equal(["false", "true", "true"], Run("print a = isnotempty(\"\"), b = isnotempty(\" \"), c = isnotempty(\"x\")").Rows[0].Select(Answer.Text));
    }

    // https://learn.microsoft.com/kusto/query/tostring-function ("print tostring(123)"; null is "")
    [Fact]
    public void Tostring()
    {
        Answer answer = Run("print tostring(123)");
        Assert.Equal(["print_0:string"], answer.Columns);
        Assert.Equal("123", answer.Single("print_0"));

        // Of dynamic values (learn.microsoft.com/kusto/query/scalar-data-types/dynamic): a string is itself, the rest JSON.
        Answer dynamic = Run("print a = tostring(dynamic(null)), b = tostring(dynamic(\"x\")), c = tostring(dynamic([1, \"y\"])), d = tostring(dynamic({\"k\": true}))");
        Assert.Equal(["", "x", "[1,\"y\"]", "{\"k\":true}"], dynamic.Rows[0].Select(Answer.Text));
    }

    // https://learn.microsoft.com/kusto/query/toguid-function (the example)
    [Fact]
    public void Toguid()
    {
        Answer answer = Run("""
            datatable(str: string)
            [
                "0123456789abcdef0123456789abcdef",
                "0123456789ab-cdef-0123-456789abcdef",
                "a string that is not a guid"
            ]
            | extend guid = toguid(str)
            """);

        Assert.Equal(["str:string", "guid:guid"], answer.Columns);
        Assert.Equal(["01234567-89ab-cdef-0123-456789abcdef", "01234567-89ab-cdef-0123-456789abcdef", ""], answer.Texts("guid"));
    }

    // https://learn.microsoft.com/kusto/query/scalar-data-types/guid ("guid(74be27de-1e4e-49d9-b579-fe0b331d3642)", and guid(null))
    [Fact]
    public void GuidLiteral()
    {
        Answer answer = Run("print a = guid(74be27de-1e4e-49d9-b579-fe0b331d3642), b = guid(null), c = toguid(\"74BE27DE-1E4E-49D9-B579-FE0B331D3642\") == guid(74be27de-1e4e-49d9-b579-fe0b331d3642)");

        Assert.Equal(["a:guid", "b:guid", "c:bool"], answer.Columns);
        Assert.Equal(["74be27de-1e4e-49d9-b579-fe0b331d3642", "", "true"], answer.Rows[0].Select(Answer.Text));
    }

    // https://learn.microsoft.com/kusto/query/parse-json-function ("Nested JSON parsing"); todynamic() is its alias
    [Fact]
    public void ParseJson_AndTodynamic()
    {
        Answer answer = Run("""
            let d='{"a":123, "b":"{\\"c\\":456}"}';
            print d_b_c=parse_json(tostring(parse_json(d).b)).c, same = todynamic(tostring(todynamic(d).b)).c, asis = tostring(todynamic(dynamic("text")))
            """);

        Assert.Equal(["d_b_c:dynamic", "same:dynamic", "asis:string"], answer.Columns);
        Assert.Equal(["456", "456", "text"], answer.Rows[0].Select(Answer.Text));
    }

    // https://learn.microsoft.com/kusto/query/scalar-data-types/dynamic ("Dynamic object accessors" and "Casting dynamic objects")
    [Fact]
    public void DynamicAccessors()
    {
        Answer answer = Run("""
            print x0 = parse_json('[100,101,102]')[0], last = parse_json('[100,101,102]')[(-1)], out = parse_json('[100,101,102]')[3],
                a1 = parse_json('{"a1":100, "a b c":"2015-01-01"}').a1, abc = parse_json('{"a1":100, "a b c":"2015-01-01"}')["a b c"],
                none = parse_json('{"a1":100}').A1
            """);

        Assert.Equal(["100", "102", "", "100", "\"2015-01-01\"", ""], answer.Rows[0].Select(Answer.Text));
        Assert.Equal(JsonValueKind.Null, answer.Rows[0][2].ValueKind);
    }

    // https://learn.microsoft.com/kusto/query/trim-function (the three examples; the second's
    // "range x from 1 to 5" as a datatable)
    [Fact]
    public void Trim()
    {
        Answer first = Run("""
            let string_to_trim = @"--https://bing.com--";
            let substring = "--";
            print string_to_trim = string_to_trim, trimmed_string = trim(substring,string_to_trim)
            """);
        Assert.Equal("https://bing.com", first.Single("trimmed_string"));

        Answer second = Run("""
            datatable(x:long)[1, 2, 3, 4, 5]
            | project str = strcat("-  ","Te st",x,@"// $")
            | extend trimmed_str = trim(@"[^\w]+",str)
            """);
        Assert.Equal(["-  Te st1// $", "-  Te st2// $", "-  Te st3// $", "-  Te st4// $", "-  Te st5// $"], second.Strings("str"));
        Assert.Equal(["Te st1", "Te st2", "Te st3", "Te st4", "Te st5"], second.Strings("trimmed_str"));

        Answer third = Run("""
            let string_to_trim = @"    Hello, world!    ";
            let substring = @"\s+";
            print
                string_to_trim = string_to_trim,
                trimmed_string = trim(substring, string_to_trim)
            """);
        Assert.Equal("Hello, world!", third.Single("trimmed_string"));
    }

    // https://learn.microsoft.com/kusto/query/trim-start-function (the three examples; the
    // second's "range x from 1 to 5" as a datatable)
    [Fact]
    public void TrimStart()
    {
        Answer first = Run("""
            let string_to_trim = @"https://bing.com";
            let substring = "https://";
            print string_to_trim = string_to_trim,trimmed_string = trim_start(substring,string_to_trim)
            """);
        Assert.Equal("bing.com", first.Single("trimmed_string"));

        Answer second = Run("""
            datatable(x:long)[1, 2, 3, 4, 5]
            | project str = strcat("- ","Te st",x,@"// $")
            | extend trimmed_str = trim_start(@"[^\w]+",str)
            """);
        Assert.Equal(["Te st1// $", "Te st2// $", "Te st3// $", "Te st4// $", "Te st5// $"], second.Strings("trimmed_str"));

        Answer third = Run("""
            let string_to_trim = @"    Hello, world!    ";
            let substring = @"\s+";
            print
                string_to_trim = string_to_trim,
                trimmed_start = trim_start(substring, string_to_trim)
            """);
        Assert.Equal("Hello, world!    ", third.Single("trimmed_start"));
    }

    // https://learn.microsoft.com/kusto/query/re2 (RE2's \s is [\t\n\f\r ], ASCII only; \p{Z} and
    // \x{85} name the others): what trim(@"\s+", …) leaves and the generated function's pattern takes.
    [Fact]
    public void Regex_IsRe2_PerlClassesAreAscii()
    {
        Answer answer = Run("print a = trim(@\"\\s+\", \"\\u00a0x\\u00a0\"), b = trim(@\"[\\s\\v\\x{85}\\p{Z}]+\", \"\\u00a0\\u2003x\\u0085\\u000b\")");

        Assert.Equal(["\u00a0x\u00a0", "x"], answer.Rows[0].Select(Answer.Text));
        ArgumentException lookahead = Assert.Throws<ArgumentException>(() => KqlEngine.Run("print a = trim(@\"(?=x)\", \"x\")"));
        Assert.Contains("SemanticError", lookahead.Message);
    }

    // https://learn.microsoft.com/kusto/query/re2 ("Empty strings": $ is at the end of the text, like
    // \z not \Z; "Composites": x|y prefers x) with replace_regex: a group that took no part in the
    // match rewrites as nothing, which the generated function's GUID forms rely on.
    [Fact]
    public void Regex_DollarIsTheEndOfTheText_AnUnmatchedGroupRewritesAsNothing()
    {
        Answer answer = Run("print a = replace_regex(\"ab\\n\", @\"b$\", \"X\"), b = replace_regex(\"ab\", @\"b$\", \"X\"), c = replace_regex(\"0123\", @\"^(?:(1)|(0)(1))\", @\"[\\1\\2\\3]\"), d = replace_regex(\"{x}\", @\"^(?:(x)|\\{(x)\\})$\", @\"\\1\\2\")");

        Assert.Equal(["ab\n", "aX", "[01]23", "x"], answer.Rows[0].Select(Answer.Text));
    }

    // https://learn.microsoft.com/kusto/query/replace-regex-function (the example, "range x from 1
    // to 5" as a datatable of longs: the page's output shows reals, 1.000000, from its range)
    [Fact]
    public void ReplaceRegex()
    {
        Answer answer = Run("""
            datatable(x:long)[1, 2, 3, 4, 5]
            | extend str=strcat('Number is ', tostring(x))
            | extend replaced=replace_regex(str, @'is (\d+)', @'was: \1')
            """);
        Assert.Equal(["Number was: 1", "Number was: 2", "Number was: 3", "Number was: 4", "Number was: 5"], answer.Strings("replaced"));

        // \0 is the whole match; \\ a backslash (what the generated function's escaping writes).
        Assert.Equal(@"a\[b\]<<c>>", Run(@"print r = replace_regex(replace_regex(""a[b]c"", @""([\[\]])"", @""\\\1""), @""c"", @""<<\0>>"")").Single("r"));
    }

    // https://learn.microsoft.com/kusto/query/strcat-function ("Concatenated string"; arguments of other types forcibly converted)
    [Fact]
    public void Strcat()
    {
        Assert.Equal("hello world", Run("print str = strcat(\"hello\", \" \", \"world\")").Single("str"));
        Assert.Equal("1|true|", Run("print str = strcat(1, \"|\", true, \"|\", long(null))").Single("str"));
    }

    // https://learn.microsoft.com/kusto/query/strcat-array-function (both examples)
    [Fact]
    public void StrcatArray()
    {
        Assert.Equal("1->2->3", Run("print str = strcat_array(dynamic([1, 2, 3]), \"->\")").Single("str"));
        Assert.Equal("1\"2\"3", Run("print str = strcat_array(dynamic([1, 2, 3]), '\"')").Single("str"));
    }

    // https://learn.microsoft.com/kusto/query/pack-array-function (the second example, its
    // range and arithmetic as a datatable holding the same values)
    [Fact]
    public void PackArray()
    {
        Answer answer = Run("""
            datatable(x:long, y:string, z:timespan)[1, "2", 2s, 2, "4", 4s, 3, "6", 6s]
            | project Column1 = pack_array(x, y, z)
            """);

        Assert.Equal(["Column1:dynamic"], answer.Columns);
        Assert.Equal(["[1,\"2\",\"00:00:02\"]", "[2,\"4\",\"00:00:04\"]", "[3,\"6\",\"00:00:06\"]"], answer.Strings("Column1"));
    }

    // https://learn.microsoft.com/kusto/query/coalesce-function (the example: tolong("not a
    // number") is null, written long(null) as tolong is not in the engine; and "non-empty for string")
    [Fact]
    public void Coalesce()
    {
        Assert.Equal("42", Run("print result=coalesce(long(null), 42, 33)").Single("result"));
        Assert.Equal("b", Run("print result=coalesce(\"\", \"b\", \"c\")").Single("result"));
        Assert.Equal("", Run("print result=coalesce(\"\", \"\")").Single("result"));
    }

    // https://learn.microsoft.com/kusto/query/iff-function ("Classify data using iff()", over a datatable for StormEvents)
    [Fact]
    public void Iff()
    {
        Answer answer = Run("""
            datatable(State:string, EventType:string)["ATLANTIC SOUTH", "Waterspout", "FLORIDA", "Heavy Rain", "FLORIDA", "Flood"]
            | extend Rain = iff((EventType in ("Heavy Rain", "Flash Flood", "Flood")), "Rain event", "Not rain event")
            | project State, EventType, Rain
            """);

        Assert.Equal(["Not rain event", "Rain event", "Rain event"], answer.Strings("Rain"));
    }

    // https://learn.microsoft.com/kusto/query/case-function (the example, "range Size from 1 to 15
    // step 2" as a datatable; the predicates compare longs)
    [Fact]
    public void Case()
    {
        Answer answer = Run("""
            datatable(Size:long)[1, 3, 5, 7, 9, 11, 13, 15]
            | extend bucket = case(Size <= 3, "Small", 
                                   Size <= 10, "Medium", 
                                   "Large")
            """);

        Assert.Equal(["Small", "Small", "Medium", "Medium", "Medium", "Large", "Large", "Large"], answer.Strings("bucket"));
    }

    // https://learn.microsoft.com/kusto/query/in-operator ("where State in~ (…) | count", over a
    // datatable for StormEvents, count as summarize count())
    [Fact]
    public void In_InCaseInsensitive_AndNotIn()
    {
        const string Storms = "datatable(State:string)[\"FLORIDA\", \"Georgia\", \"new york\", \"TEXAS\"]";

        Assert.Equal("3", Run(Storms + " | where State in~ (\"FLORIDA\", \"georgia\", \"NEW YORK\") | summarize count()").Single("count_"));
        Assert.Equal("1", Run(Storms + " | where State in (\"FLORIDA\", \"georgia\", \"NEW YORK\") | summarize count()").Single("count_"));
        Assert.Equal(["Georgia", "new york", "TEXAS"], Run(Storms + " | where State !in (\"FLORIDA\")").Strings("State"));
    }

    // https://learn.microsoft.com/kusto/query/in-cs-operator ("Tabular expression": "let Top_5_States
    // = StormEvents | summarize count() by State | top 5 by count_; StormEvents | where State in
    // (Top_5_States) | count", and the same inline in double parentheses), over a datatable for
    // StormEvents, its top 2 as order by … | take 2 (top is not in the engine), count as summarize
    // count(). "If a tabular expression has multiple columns, the first column is used": State.
    [Fact]
    public void In_ATabularExpression_ItsFirstColumn()
    {
        const string Storms = """
            let Storms = datatable(State:string, EventType:string)[
                "TEXAS", "Hail", "TEXAS", "Flood", "TEXAS", "Hail", "KANSAS", "Hail", "KANSAS", "Flood", "IOWA", "Hail", "iowa", "Hail"];
            """;

        Answer byLet = Run(Storms + """
            let Top_2_States = Storms | summarize count() by State | order by count_ desc | take 2;
            Storms
            | where State in (Top_2_States)
            | summarize count()
            """);
        Assert.Equal("5", byLet.Single("count_"));

        Answer inline = Run(Storms + """
            Storms
            | where State in ((
                Storms
                | summarize count() by State
                | order by count_ desc
                | take 2
                ))
            | summarize count()
            """);
        Assert.Equal("5", inline.Single("count_"));

        // Kusto's parser also takes a whole tabular expression as the list's only item in single
        // parentheses; !in, in~ and !in~ take one as in does.
        Assert.Equal(["IOWA", "iowa"], Run(Storms + "Storms | where State !in (Storms | where EventType == \"Flood\") | summarize count() by State").Strings("State"));
        Assert.Equal("7", Run(Storms + "Storms | where State in~ ((datatable(s:string)[\"Texas\", \"kansas\", \"IOWA\"])) | summarize count()").Single("count_"));
        Assert.Equal(["IOWA", "iowa"], Run(Storms + "Storms | where State !in~ (datatable(s:string)[\"texas\", \"Kansas\"]) | project State").Strings("State"));
        Assert.Equal(["iowa"], Run(Storms + "Storms | where State !in ((Storms | where State == \"IOWA\")) and State !in (Storms | where EventType == \"Flood\") | project State").Strings("State"));
    }

    // https://learn.microsoft.com/kusto/query/in-cs-operator ("Top with other example": the states
    // not in the top as "Other", its sum(lightning_events) as the rows counted, sum not being in the
    // engine; the top 5 as the top 2): a tabular let used twice, in an extend.
    [Fact]
    public void In_ATabularLetUsedTwice_InAnExtend()
    {
        Answer answer = Run("""
            let Lightning_By_State = datatable(State:string, lightning_events:long)["TEXAS", 55, "FLORIDA", 85, "GEORGIA", 106, "ALABAMA", 29, "WISCONSIN", 31];
            let Top_2_States = Lightning_By_State | order by lightning_events desc | take 2 | project State;
            Lightning_By_State
            | extend State = iff(State in (Top_2_States), State, "Other")
            | where State in (Top_2_States) or State == "Other"
            | summarize n = count() by State
            """);

        Assert.Equal(["FLORIDA|1", "GEORGIA|1", "Other|3"], answer.Joined().Order(StringComparer.Ordinal));
    }

    // https://learn.microsoft.com/kusto/query/scalar-data-types/null-values: in is an or of ==, so
    // a null value is in no list of values (the or of falses), and null when the list has a null.
    [Fact]
    public void In_ATabularExpression_NullsAndNumbers()
    {
        Answer answer = Run("""
            let Values = datatable(v:long)[1, 2];
            let WithNull = datatable(v:real)[1.0, real(null)];
            datatable(x:long)[1, 3, long(null)]
            | extend a = x in (Values), b = x !in (Values), c = x in (WithNull)
            """);

        Assert.Equal(["1|true|false|true", "3|false|true|false", "|false|true|"], answer.Joined());
    }

    // https://learn.microsoft.com/kusto/query/equals-operator and not-equals-operator (=~ and !~: equal ignoring case)
    [Fact]
    public void EqualsIgnoringCase()
    {
        Answer answer = Run("print a = \"abc\" =~ \"ABC\", b = \"abc\" !~ \"ABC\", c = \"abc\" == \"ABC\"");

        Assert.Equal(["true", "false", "false"], answer.Rows[0].Select(Answer.Text));
    }

    // https://learn.microsoft.com/kusto/query/startswith-operator (the example "where State
    // startswith \"Lo\"", over a datatable for StormEvents' counts; case-insensitive)
    [Fact]
    public void Startswith()
    {
        Answer answer = Run("""
            datatable(State:string, event_count:long)["LOUISIANA", 463, "LOWA", 5, "TEXAS", 4701]
            | where State startswith "Lo"
            | where event_count > 10
            | project State, event_count
            """);

        Assert.Equal(["LOUISIANA"], answer.Strings("State"));
        Assert.Equal("true", Run("print a = \"Fabrikam\" !startswith \"kam\"").Single("a"));
    }

    // https://learn.microsoft.com/kusto/query/endswith-operator (its table: "Fabrikam" endswith "Kam"; case-insensitive)
    [Fact]
    public void Endswith()
    {
        Answer answer = Run("print a = \"Fabrikam\" endswith \"Kam\", b = \"Fabrikam\" !endswith \"brik\", c = \"xTenantId\" endswith \"TENANTID\"");

        Assert.Equal(["true", "true", "true"], answer.Rows[0].Select(Answer.Text));
    }

    // https://learn.microsoft.com/kusto/query/matches-regex-operator (the example, "summarize
    // event_count=count() by State | where State matches regex "K.*S" | where event_count > 10",
    // over a datatable of StormEvents' counts as the summarize gives them): case-sensitive, matched
    // anywhere in the text.
    [Fact]
    public void MatchesRegex()
    {
        Answer answer = Run("""
            datatable(State:string, event_count:long)["TEXAS", 4701, "KANSAS", 3166, "ARKANSAS", 1028, "LAKE SUPERIOR", 34,
                "LAKE ST CLAIR", 32, "kansas", 40, "KS", 5, "NEW YORK", 1750]
            | where State matches regex "K.*S"
            | where event_count > 10
            | project State, event_count
            """);

        Assert.Equal(["KANSAS", "ARKANSAS", "LAKE SUPERIOR", "LAKE ST CLAIR"], answer.Strings("State"));
    }

    // https://learn.microsoft.com/kusto/query/re2 (flags: "i case-insensitive", "s let . match \n";
    // "(?flags)" at the start): RE2's (?i), (?s), (?is); without s, . does not match a line break.
    [Fact]
    public void MatchesRegex_Re2Flags()
    {
        Answer answer = Run("""
            datatable(s:string)["admin@CONTOSO.com", "line\n@contoso.com", "a@contoso.com.evil", "", "x@contoso.com"]
            | extend is = s matches regex @"(?is)^.*@contoso\.com$", i = s matches regex @"(?i)^.*@contoso\.com$",
                plain = s matches regex @"^.*@contoso\.com$", s1 = s matches regex "(?s)e.@", anywhere = s matches regex @"\.com"
            | project is, i, plain, s1, anywhere
            """);

        Assert.Equal([
            "true|true|false|false|true",
            "true|false|false|true|true",
            "false|false|false|false|true",
            "false|false|false|false|false",
            "true|true|true|false|true"], answer.Joined());
    }

    // https://learn.microsoft.com/kusto/query/let-statement and
    // https://learn.microsoft.com/kusto/query/isnull-function: a datetime let, null or not, as the
    // activity function's starttime and endtime; a tabular let used twice (as the source and in in).
    [Fact]
    public void Let_DatetimesAndATabularLetUsedTwice()
    {
        Answer answer = Run("""
            let starttime = datetime(2026-09-01T00:00:00.0000000Z);
            let endtime = datetime(null);
            let Log = datatable(TimeGenerated:datetime, Id:string)[
                datetime(2026-08-31T23:59:59Z), "old", datetime(2026-09-01T00:00:00Z), "a", datetime(2026-09-07T00:00:00Z), "b"];
            let _Matching = Log
            | where (isnull(starttime) or TimeGenerated >= starttime) and (isnull(endtime) or TimeGenerated < endtime)
            | where Id matches regex "^[ab]$"
            | project Id;
            Log
            | where Id in (_Matching) or Id == ""
            | order by TimeGenerated desc, Id desc
            | project Id
            """);

        Assert.Equal(["b", "a"], answer.Strings("Id"));
    }

    // The window (README.md, "The KQL accepted"): the leading where operators' bounds on
    // TimeGenerated, datetime literals or lets (isnull(starttime) or … of a given starttime is the
    // comparison); a script that reads AuditLogs more than once (a tabular let, in) the span of all
    // its reads, a read without bounds leaving it open.
    [Fact]
    public void Window_OfEveryReadOfAuditLogs()
    {
        const string Lets = """
            let starttime = datetime(2026-09-01T00:00:00.0000000Z);
            let endtime = datetime(2026-09-08T00:00:00.0000000Z);

            """;
        const string Reading = """
            AuditLogs
            | where TimeGenerated >= datetime(2026-09-01T00:00:00.0000000Z) and TimeGenerated < datetime(2026-09-08T00:00:00.0000000Z)
            | where Category == "MicrosoftSupportAccessManagement"
            | where Id in (_Matching) or Id == ""
            | project Id, TimeGenerated
            | order by TimeGenerated desc, Id desc
            """;
        DateTime start = new(2026, 9, 1, 0, 0, 0, DateTimeKind.Utc), end = new(2026, 9, 8, 0, 0, 0, DateTimeKind.Utc);

        Assert.Equal((start, end), KqlEngine.Window(Lets + """
            let _Matching = AuditLogs
            | where Category =~ "MicrosoftSupportAccessManagement"
            | where (isnull(starttime) or TimeGenerated >= starttime) and (isnull(endtime) or TimeGenerated < endtime)
            | where Category in ("CrossTenant") and (tostring(InitiatedBy) matches regex @"(?is)^.*@contoso\.com$" or ActivityDisplayName matches regex @"(?is)^.*@contoso\.com$")
            | project Id;

            """ + Reading));
        // The let reads a wider span: the window holds both.
        Assert.Equal((start.AddDays(-1), end), KqlEngine.Window(Lets + "let _Matching = AuditLogs | where TimeGenerated >= starttime - 1d and TimeGenerated < endtime | project Id;\n" + Reading));
        // A read without bounds: open.
        Assert.Equal(((DateTime?)null, (DateTime?)null), KqlEngine.Window(Lets + "let _Matching = AuditLogs | project Id;\n" + Reading));
        Assert.Equal(((DateTime?)null, end), KqlEngine.Window("let starttime = datetime(null); let endtime = datetime(2026-09-08);\nAuditLogs | where (isnull(starttime) or TimeGenerated >= starttime) and (isnull(endtime) or TimeGenerated < endtime)"));
        // Through a tabular let, and after an operator that is no where nothing counts.
        Assert.Equal((start, (DateTime?)null), KqlEngine.Window("let A = AuditLogs | where TimeGenerated >= datetime(2026-09-01); A | where Id != \"\" | take 1 | where TimeGenerated < datetime(2026-09-08)"));
        Assert.Equal(((DateTime?)null, (DateTime?)null), KqlEngine.Window("datatable(x:long)[1]"));
    }

    // https://learn.microsoft.com/kusto/query/let-statement ("Create a user defined function that
    // trims input", its "range x from 10 to 15 step 1" as a datatable; and scalar lets)
    [Fact]
    public void Let_ScalarsAndFunctions()
    {
        Answer answer = Run("""
            let TrimOnes = (s:string) { trim("1", s) };
            datatable(x:long)[10, 11, 12, 13, 14, 15]
            | extend result = TrimOnes(tostring(x))
            """);
        Assert.Equal(["0", "", "2", "3", "4", "5"], answer.Strings("result"));

        // "Use multiple let statements": one function calling another (here without range).
        Answer nested = Run("""
            let place = "Dallas";
            let _HasText = (s:string) { isnotempty(trim(@"\s+", s)) };
            let _Either = (a:string, b:string) { iff(_HasText(a), a, b) };
            print x = _Either("  ", place), y = _Either("Austin", place)
            """);
        Assert.Equal(["Dallas", "Austin"], nested.Rows[0].Select(Answer.Text));
    }

    // https://learn.microsoft.com/kusto/query/make-list-aggregation-function (the shapes example: the input's order)
    [Fact]
    public void MakeList()
    {
        Answer answer = Run("""
            let shapes = datatable (name: string, sideCount: int)
            [
                "triangle", 3,
                "square", 4,
                "rectangle", 4,
                "pentagon", 5,
                "hexagon", 6,
                "heptagon", 7,
                "octagon", 8,
                "nonagon", 9,
                "decagon", 10
            ];
            shapes
            | summarize mylist = make_list(name)
            """);

        Assert.Equal(["mylist:dynamic"], answer.Columns);
        Assert.Equal("[\"triangle\",\"square\",\"rectangle\",\"pentagon\",\"hexagon\",\"heptagon\",\"octagon\",\"nonagon\",\"decagon\"]", answer.Single("mylist"));
    }

    // https://learn.microsoft.com/kusto/query/make-list-if-aggregation-function (the example; its
    // predicate strlen(name) > 4 written as the names it keeps, strlen not being in the engine)
    [Fact]
    public void MakeListIf()
    {
        Answer answer = Run("""
            let T = datatable(name:string, day_of_birth:long)
            [
               "John", 9,
               "Paul", 18,
               "George", 25,
               "Ringo", 7
            ];
            T
            | summarize make_list_if(name, name != "John" and name != "Paul")
            """);

        Assert.Equal(["list_name:dynamic"], answer.Columns);
        Assert.Equal("[\"George\",\"Ringo\"]", answer.Single("list_name"));
        // Null values are ignored.
        Assert.Equal("[1]", Run("datatable(x:long)[1, long(null)] | summarize l = make_list_if(x, true)").Single("l"));
    }

    // https://learn.microsoft.com/kusto/query/count-aggregation-function and summarize-operator
    // (without by, one row, also over no rows: count 0, an empty list)
    [Fact]
    public void Count_AndSummarizeOfNoRows()
    {
        Assert.Equal("3", Run("datatable(x:long)[1, 2, long(null)] | summarize count()").Single("count_"));
        Answer none = Run("datatable(x:long)[1] | where x > 1 | summarize n = count(), l = make_list(x)");
        Assert.Equal(["0", "[]"], Assert.Single(none.Rows).Select(Answer.Text));
    }

    // https://learn.microsoft.com/kusto/query/countif-aggregation-function ("Count storms by
    // state": "summarize TotalCount=count(),TotalWithDamage=countif(DamageCrops >0) by State", over a
    // datatable for StormEvents; and "Count based on string length", its strlen(name) > 4 as the
    // names it keeps, strlen not being in the engine): the rows whose predicate is true, countif_
    // unnamed; a null predicate is not true.
    [Fact]
    public void Countif()
    {
        Answer byState = Run("""
            datatable(State:string, DamageCrops:long)["TEXAS", 0, "TEXAS", 5000, "IOWA", 100, "IOWA", 20, "IOWA", long(null)]
            | summarize TotalCount=count(),TotalWithDamage=countif(DamageCrops >0) by State
            """);
        Assert.Equal(["State:string", "TotalCount:long", "TotalWithDamage:long"], byState.Columns);
        Assert.Equal(["TEXAS|2|1", "IOWA|3|2"], byState.Joined());

        Answer names = Run("""
            let T = datatable(name:string, day_of_birth:long)
            [
               "John", 9,
               "Paul", 18,
               "George", 25,
               "Ringo", 7
            ];
            T
            | summarize countif(name != "John" and name != "Paul")
            """);
        Assert.Equal(["countif_:long"], names.Columns);
        Assert.Equal("2", names.Single("countif_"));
    }

    // https://learn.microsoft.com/kusto/query/countif-aggregation-function beside count() by
    // bin(TimeGenerated, 1h) (https://learn.microsoft.com/kusto/query/bin-function), its predicate an
    // in of a tabular let: the module's count query.
    [Fact]
    public void Countif_ByBin_WithInOfATabularLet()
    {
        Answer answer = Run("""
            let Log = datatable(TimeGenerated:datetime, Id:string, Category:string)[
                datetime(2026-09-01T10:05:00Z), "a", "CrossTenant",
                datetime(2026-09-01T10:50:00Z), "b", "Other",
                datetime(2026-09-01T10:59:00Z), "", "Other",
                datetime(2026-09-01T12:00:00Z), "c", "CrossTenant"];
            let _Matching = Log | where Category in ("CrossTenant") | project Id;
            Log
            | summarize count(), Matching = countif(Id in (_Matching) or Id == "") by bin(TimeGenerated, 1h)
            """);

        Assert.Equal(["TimeGenerated:datetime", "count_:long", "Matching:long"], answer.Columns);
        Assert.Equal(["2026-09-01T10:00:00.0000000Z|3|2", "2026-09-01T12:00:00.0000000Z|1|1"], answer.Joined());
    }

    // https://learn.microsoft.com/kusto/query/mv-apply-operator (the examples "Internal mv-expand
    // done by mv-apply", "Using with_itemindex…" and "Using multiple columns to join element of
    // two arrays"; the others use top)
    [Fact]
    public void MvApply()
    {
        Answer expand = Run("""
            let data = datatable (index: int, Arr: dynamic)
            [
                0, dynamic([7]),
                1, dynamic([6, 11, 7])
            ];
            data
            | mv-apply Arr2=Arr to typeof(long) on 
                (
                   take 100
                )
            """);
        Assert.Equal(["index:int", "Arr:dynamic", "Arr2:long"], expand.Columns);
        Assert.Equal(["0|[7]|7", "1|[6,11,7]|6", "1|[6,11,7]|11", "1|[6,11,7]|7"], expand.Joined());

        Answer itemIndex = Run("""
            let data = datatable (row: int, Arr: dynamic)
            [
                0, dynamic([5, 1, 3]),
                1, dynamic([4, 10, 8, 7])
            ];
            data
            | mv-apply with_itemindex=index value=Arr to typeof(long) on 
              (
                // here you have 'index' column
                where index >= 2
              )
            """);
        Assert.Equal(["row:int", "Arr:dynamic", "value:long", "index:long"], itemIndex.Columns);
        Assert.Equal(["0|[5,1,3]|3|2", "1|[4,10,8,7]|8|2", "1|[4,10,8,7]|7|3"], itemIndex.Joined());

        Answer zipped = Run("""
            datatable (Val: int, Arr1: dynamic, Arr2: dynamic)
            [
                1, dynamic(['A1', 'A2']), dynamic(['B1', 'B2', 'B3']), 
                5, dynamic(['C1', 'C2']), dynamic(['D1'])
            ] 
            | mv-apply T1=Arr1, T2=Arr2 on (
                extend Out = strcat(T1, "_", T2)
                | summarize Out= make_list(Out)
              )
            """);
        Assert.Equal(["Val:int", "Arr1:dynamic", "Arr2:dynamic", "Out:dynamic"], zipped.Columns);
        Assert.Equal(["[\"A1_B1\",\"A2_B2\",\"_B3\"]", "[\"C1_D1\",\"C2_\"]"], zipped.Strings("Out"));
    }

    // https://learn.microsoft.com/kusto/query/mv-expand-operator ("Returns": a null value gives
    // one null row, an empty array none), as mv-apply expands: so a summarizing subquery gives a
    // row for an empty array (count 0) and counts the null of a null one.
    [Fact]
    public void MvApply_EmptyAndNullArrays()
    {
        Answer answer = Run("""
            datatable(k:string, a:dynamic)["empty", dynamic([]), "null", dynamic(null), "nulls", dynamic([null, 1])]
            | mv-apply e = a on (summarize n = count(), l = make_list(e))
            """);

        Assert.Equal(["empty|[]|0|[]", "null||1|[]", "nulls|[null,1]|2|[1]"], answer.Joined());
    }

    // https://learn.microsoft.com/kusto/query/scan-operator ("Cumulative sum" and "Cumulative sum
    // with a reset condition"; "range x from 1 to 5 step 1" as a datatable)
    [Fact]
    public void Scan_OneStep_ReadsTheStepsStateOfTheRowBefore()
    {
        Answer sum = Run("""
            datatable(x:long)[1, 2, 3, 4, 5]
            | scan declare (cumulative_x:long=0) with
            (
                step s1: true => cumulative_x = x + s1.cumulative_x;
            )
            """);
        Assert.Equal(["x:long", "cumulative_x:long"], sum.Columns);
        Assert.Equal(["1|1", "2|3", "3|6", "4|10", "5|15"], sum.Joined());

        Answer reset = Run("""
            datatable(x:long)[1, 2, 3, 4, 5]
            | scan declare (cumulative_x:long=0) with
            (
                step s1: true => cumulative_x = iff(s1.cumulative_x >= 10, x, x + s1.cumulative_x);
            )
            """);
        Assert.Equal(["1|1", "2|3", "3|6", "4|10", "5|5"], reset.Joined());

        // "If not assigned, the DefaultValue is returned. Unless otherwise specified, DefaultValue is
        // null"; "Returns a record for each match of a record from the input to a step".
        Answer declared = Run("""
            datatable(x:long)[1, 2, 3]
            | scan declare (a:string = "d", b:long, c:datetime) with (step s: x != 2 => b = coalesce(s.b, 0) + x;)
            """);
        Assert.Equal(["x:long", "a:string", "b:long", "c:datetime"], declared.Columns);
        Assert.Equal(["1|d|1|", "3|d|4|"], declared.Joined());
    }

    // https://learn.microsoft.com/kusto/query/row-number-function (the example; "range a from 1 to
    // 10 step 1" as a datatable)
    [Fact]
    public void RowNumber()
    {
        Answer answer = Run("""
            datatable(a:long)[1, 2, 3, 4, 5, 6, 7, 8, 9, 10]
            | sort by a desc
            | extend rn=row_number()
            """);

        Assert.Equal(["a:long", "rn:long"], answer.Columns);
        Assert.Equal(["10|1", "9|2", "8|3", "7|4", "6|5", "5|6", "4|7", "3|8", "2|9", "1|10"], answer.Joined());

        // https://learn.microsoft.com/kusto/query/serialize-operator ("Serialization behavior of
        // operators"): summarize marks its output nonserialized, the other operators keep the property.
        Answer kept = Run("datatable(a:long)[2, 1, 3] | order by a asc | where a > 1 | scan with (step s: true;) | extend rn = row_number()");
        Assert.Equal(["2|1", "3|2"], kept.Joined());
        ArgumentException lost = Assert.Throws<ArgumentException>(() => KqlEngine.Run("datatable(a:long)[2, 1] | order by a asc | summarize count() by a | extend rn = row_number()"));
        Assert.Contains("must be serialized", lost.Message);
    }

    // https://learn.microsoft.com/kusto/query/summarize-operator and
    // https://learn.microsoft.com/kusto/query/count-aggregation-function ("summarize Count=count()
    // by State", over a datatable for StormEvents): a row per distinct key, the key first.
    [Fact]
    public void Summarize_ByColumns()
    {
        Answer answer = Run("""
            datatable(State:string, EventType:string)["TEXAS", "Hail", "KANSAS", "Flood", "TEXAS", "Flood", "TEXAS", "Hail"]
            | summarize Count=count() by State, Kind = EventType
            | order by State asc, Kind asc
            """);

        Assert.Equal(["State:string", "Kind:string", "Count:long"], answer.Columns);
        Assert.Equal(["KANSAS|Flood|1", "TEXAS|Flood|1", "TEXAS|Hail|2"], answer.Joined());
    }

    // https://learn.microsoft.com/kusto/query/arg-max-aggregation-function (the second example, "Find
    // the last time an event with a direct death happened in each state showing all the columns",
    // StormEvents as a datatable): the by column, the maximized one, then the others; a null never
    // maximizes.
    [Fact]
    public void ArgMax_TheWholeRow()
    {
        Answer answer = Run("""
            datatable(StartTime:datetime, EndTime:datetime, State:string, DeathsDirect:long)[
                datetime(2007-01-27T11:15:00Z), datetime(2007-01-27T11:30:00Z), "GUAM", 1,
                datetime(2007-01-20T00:00:00Z), datetime(2007-01-21T00:00:00Z), "GUAM", 2,
                datetime(2007-02-03T22:00:00Z), datetime(2007-02-04T10:00:00Z), "MASSACHUSETTS", 1,
                datetime(2007-03-01T00:00:00Z), datetime(2007-03-02T00:00:00Z), "MASSACHUSETTS", 0,
                datetime(null), datetime(2007-04-01T00:00:00Z), "MASSACHUSETTS", 3]
            | where DeathsDirect > 0
            | summarize arg_max(StartTime, *) by State
            | order by State asc
            """);

        Assert.Equal(["State:string", "StartTime:datetime", "EndTime:datetime", "DeathsDirect:long"], answer.Columns);
        Assert.Equal(["GUAM|2007-01-27T11:15:00.0000000Z|2007-01-27T11:30:00.0000000Z|1", "MASSACHUSETTS|2007-02-03T22:00:00.0000000Z|2007-02-04T10:00:00.0000000Z|1"], answer.Joined());
    }

    // https://learn.microsoft.com/kusto/query/datetime-timespan-arithmetic (its examples: Cousteau's
    // age, 1d + 2d, a day after his birth) and https://learn.microsoft.com/kusto/query/numerical-operators
    [Fact]
    public void Arithmetic_DatetimeTimespanAndNumbers()
    {
        Answer answer = Run("""
            print age = datetime(1997-06-25) - datetime(1910-06-11), three = 1d + 2d, oneday = datetime(1910-06-11) + 1d,
                back = datetime(1910-06-12) - 1d, sum = 3 + 4 - 10, mixed = 1 + 0.5, none = long(null) + 1
            """);

        Assert.Equal(["age:timespan", "three:timespan", "oneday:datetime", "back:datetime", "sum:long", "mixed:real", "none:long"], answer.Columns);
        Assert.Equal(["31791.00:00:00", "3.00:00:00", "1910-06-12T00:00:00.0000000Z", "1910-06-11T00:00:00.0000000Z", "-3", "1.5", ""], answer.Rows[0].Select(Answer.Text));
    }

    // https://learn.microsoft.com/kusto/query/now-function ("print now()"): the current UTC time, the
    // same wherever one query calls it.
    [Fact]
    public void Now()
    {
        DateTime before = DateTime.UtcNow;
        Answer answer = Run("datatable(x:long)[1, 2] | extend t = now() | extend same = t == now()");
        DateTime after = DateTime.UtcNow;

        Assert.Equal(["x:long", "t:datetime", "same:bool"], answer.Columns);
        string[] times = answer.Strings("t");
        Assert.Equal(times[0], times[1]);
        Assert.Equal(["true", "true"], answer.Texts("same"));
        DateTime t = DateTime.Parse(times[0], System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AdjustToUniversal);
        Assert.InRange(t, before, after);
    }

    // What is not run is refused, never ignored (README.md, "The KQL accepted").
    [Theory]
    [InlineData("print x = strlen(\"a\")", "SemanticError", "Unknown function: 'strlen'")]
    [InlineData("print x = 2 * 3", "SyntaxError", "arithmetic operator '*'")]
    [InlineData("print x = 1 + \"a\"", "SemanticError", "can't be applied to a long and a string")]
    [InlineData("datatable(x:long)[1] | extend n = row_number()", "SemanticError", "the row set must be serialized")]
    [InlineData("datatable(x:long)[1] | scan with (step a: true; step b: true;)", "SyntaxError", "one step only")]
    [InlineData("datatable(x:long)[1] | summarize arg_max(x, x)", "SyntaxError", "arg_max(expression, *) only")]
    [InlineData("print x = \"a\" contains \"b\"", "SyntaxError", "'contains' is not supported")]
    [InlineData("datatable(x:long)[1] | summarize dcount(x)", "SyntaxError", "'dcount' is not supported")]
    [InlineData("datatable(x:long)[1] | mv-expand x", "SyntaxError", "'mv-expand' is not supported")]
    [InlineData("print x = dynamic([1]) == dynamic([1])", "SemanticError", "write tostring(")]
    [InlineData("print x = iff(1, \"a\", \"b\")", "SemanticError", "expects a bool")]
    [InlineData("let f = (s:string) { s }; print x = f(1)", "SemanticError", "expects a string for 's'")]
    [InlineData("datatable(x:long)[1] | extend tostring(x)", "SemanticError", "name the column")]
    [InlineData("AuditLogs | take 1", "SemanticError", "Failed to resolve table or column expression named 'AuditLogs'")]
    [InlineData("let T = datatable(s:string)[\"a\"]; datatable(x:string)[\"a\"] | where x in (T, \"b\")", "SemanticError", "one tabular expression alone")]
    [InlineData("let T = datatable(s:long)[1]; datatable(x:string)[\"a\"] | where x in (T)", "SemanticError", "Cannot compare values of types string and long")]
    [InlineData("let T = datatable(s:string)[\"a\"]; print x = \"a\" in (T)", "SemanticError", "not in a constant")]
    [InlineData("datatable(x:string)[\"a\"] | where x in (T | take 1, \"b\")", "SyntaxError", "the only item")]
    [InlineData("datatable(x:string)[\"a\"] | where x in (Nothing)", "SemanticError", "Failed to resolve scalar expression named 'Nothing'")]
    [InlineData("datatable(x:string)[\"a\"] | where x in (AuditLogs | project Id)", "SemanticError", "Failed to resolve table or column expression named 'AuditLogs'")]
    [InlineData("let T = datatable(s:string)[\"a\"]; print x = strcat(T)", "SemanticError", "Failed to resolve scalar expression named 'T'")]
    [InlineData("print x = (datatable(s:string)[\"a\"])", "SemanticError", "the values of 'in' only")]
    [InlineData("let T = T | take 1; T", "SemanticError", "Failed to resolve table or column expression named 'T'")]
    [InlineData("datatable(x:string)[\"a\"] | summarize countif(x)", "SemanticError", "countif(): the predicate must be a bool")]
    [InlineData("datatable(x:string)[\"a\"] | where countif(x == \"a\")", "SemanticError", "belongs in 'summarize'")]
    [InlineData("datatable(x:string, r:string)[\"a\", \"a\"] | where x matches regex r", "SemanticError", "the regex must be a scalar constant")]
    [InlineData("datatable(x:long)[1] | where x matches regex \"1\"", "SemanticError", "applies to strings only")]
    [InlineData("print x = \"a\" matches regex \"(?m)^a$\"", "SemanticError", "flag 'm' is not supported")]
    [InlineData("print x = \"a\" matches regex \"(?U)a+\"", "SemanticError", "flag 'U' is not supported")]
    [InlineData("print x = \"a\" matches regex \"(?x)a\"", "SemanticError", "RE2 has no flag 'x'")]
    [InlineData("print x = \"a\" matches regex \"(?=a)\"", "SemanticError", "no lookaround")]
    [InlineData("print x = \"a\" matches \"a\"", "SyntaxError", "expected 'regex' after 'matches'")]
    [InlineData("print x = \"a\" !matches regex \"a\"", "SyntaxError", "'!matches' is not supported")]
    public void OutsideWhatTheEngineRuns_IsRefused(string query, string code, string message)
    {
        ArgumentException refused = Assert.Throws<ArgumentException>(() => KqlEngine.Run(query));

        Assert.StartsWith(code + ":", refused.Message);
        Assert.Contains(message, refused.Message);
    }

    private static Answer Run(string query) => new(JsonDocument.Parse(KqlEngine.Run(query)).RootElement.Clone());

    /// <summary>The PrimaryResult table of an answer: "name:type" per column, and the rows.</summary>
    private sealed class Answer
    {
        public Answer(JsonElement root)
        {
            JsonElement table = root.GetProperty("tables")[0];
            Assert.Equal("PrimaryResult", table.GetProperty("name").GetString());
            Names = table.GetProperty("columns").EnumerateArray().Select(c => c.GetProperty("name").GetString()!).ToArray();
            Columns = table.GetProperty("columns").EnumerateArray().Select(c => c.GetProperty("name").GetString() + ":" + c.GetProperty("type").GetString()).ToArray();
            Rows = table.GetProperty("rows").EnumerateArray().Select(r => r.EnumerateArray().ToArray()).ToArray();
        }

        public string[] Names { get; }
        public string[] Columns { get; }
        public JsonElement[][] Rows { get; }

        /// <summary>A cell as text: a string as it is, null as "", a number or bool as its JSON.</summary>
        public static string Text(JsonElement cell) => cell.ValueKind switch
        {
            JsonValueKind.String => cell.GetString()!,
            JsonValueKind.Null => "",
            _ => cell.GetRawText(),
        };

        public string[] Texts(string column) => Rows.Select(r => Text(r[Array.IndexOf(Names, column)])).ToArray();

        public string[] Strings(string column) => Rows.Select(r => r[Array.IndexOf(Names, column)].GetString()!).ToArray();

        public string Single(string column) => Text(Assert.Single(Rows)[Array.IndexOf(Names, column)]);

        public string[] Joined() => Rows.Select(r => string.Join("|", r.Select(Text))).ToArray();
    }
}
