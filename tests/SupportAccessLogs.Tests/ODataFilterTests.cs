using System;
using System.Collections.Generic;
using System.Text;
using SupportAccessLogs.Activities;
using SupportAccessLogs.Graph;
using SupportAccessLogs.Records;
using Xunit;

namespace SupportAccessLogs.Tests;

/// <summary>The one place that writes $filter text (<see cref="ODataFilter"/>) and the query
/// rules built on it (<see cref="ActivityQuery"/>).</summary>
public class ODataFilterTests
{
    private static readonly DateTime Start = new(2026, 10, 3, 8, 0, 0, DateTimeKind.Utc);
    private static readonly DateTime End = new DateTime(2026, 11, 2, 8, 30, 15, DateTimeKind.Utc).AddTicks(1234567);
    private const string StartLiteral = "2026-10-03T08:00:00.0000000Z";
    private const string EndLiteral = "2026-11-02T08:30:15.1234567Z";

    // ---- ODataFilter ----

    [Fact]
    public void Equal_PlainValue_QuotedLiteral()
    {
        string filter = new ODataFilter().Equal(AuditProperty.Category, "MicrosoftSupportAccessManagement").ToString();

        Assert.Equal("category eq 'MicrosoftSupportAccessManagement'", filter);
    }

    [Theory]
    [InlineData("o'brien@contoso.com", "'o''brien@contoso.com'")]
    [InlineData("''", "''''''")]
    [InlineData("", "''")]
    [InlineData("Zoë@contoso.com", "'Zoë@contoso.com'")]
    public void Literal_QuotesInValue_Doubled(string value, string expected) =>
        Assert.Equal(expected, ODataFilter.Literal(value));

    [Fact]
    public void Equal_InjectionAttempt_StaysInsideOneLiteral()
    {
        const string attack = "x' or 1 eq 1 or 'a";
        string filter = new ODataFilter()
            .Equal(AuditProperty.UserPrincipalName, attack)
            .Equal(AuditProperty.Category, "MicrosoftSupportAccessManagement")
            .ToString();

        Assert.Equal("initiatedBy/user/userPrincipalName eq 'x'' or 1 eq 1 or ''a' and category eq 'MicrosoftSupportAccessManagement'", filter);
        List<string> literals = FilterText.Literals(filter);
        Assert.Equal(new[] { attack, "MicrosoftSupportAccessManagement" }, literals);
        Assert.Equal("initiatedBy/user/userPrincipalName eq '' and category eq ''", FilterText.WithoutLiterals(filter));
    }

    [Fact]
    public void StartsWith_QuotesInValue_Escaped()
    {
        string filter = new ODataFilter().StartsWith(AuditProperty.UserPrincipalName, "o'b").ToString();

        Assert.Equal("startswith(initiatedBy/user/userPrincipalName,'o''b')", filter);
    }

    [Fact]
    public void AtOrAfterAndAtOrBefore_UtcTimes_JoinedWithAnd()
    {
        string filter = new ODataFilter()
            .AtOrAfter(AuditProperty.ActivityDateTime, Start)
            .AtOrBefore(AuditProperty.ActivityDateTime, End)
            .ToString();

        Assert.Equal($"activityDateTime ge {StartLiteral} and activityDateTime le {EndLiteral}", filter);
    }

    [Fact]
    public void DateLiteral_Utc_FullPrecisionInvariant()
    {
        var culture = System.Globalization.CultureInfo.CurrentCulture;
        try
        {
            // A culture with other digits, separators and calendar must not leak in.
            System.Globalization.CultureInfo.CurrentCulture = new System.Globalization.CultureInfo("ar-SA");
            Assert.Equal(EndLiteral, ODataFilter.DateLiteral(End));
        }
        finally
        {
            System.Globalization.CultureInfo.CurrentCulture = culture;
        }
    }

    [Theory]
    [InlineData(DateTimeKind.Local)]
    [InlineData(DateTimeKind.Unspecified)]
    public void DateLiteral_NotUtc_Throws(DateTimeKind kind) =>
        Assert.Throws<ArgumentException>(() => ODataFilter.DateLiteral(new DateTime(2026, 11, 2, 8, 0, 0, kind)));

    [Fact]
    public void ToString_NoClauses_Empty() => Assert.Equal("", new ODataFilter().ToString());

    // ---- GraphAuditFilter.For ----

    [Fact]
    public void ToServerFilter_ByCategory_CategoryAndTimeWindow()
    {
        var query = new ActivityQuery { StartUtc = Start, EndUtc = End };

        Assert.Equal(
            $"category eq 'MicrosoftSupportAccessManagement' and activityDateTime ge {StartLiteral} and activityDateTime le {EndLiteral}",
            GraphAuditFilter.For(query, byCategory: true));
    }

    [Fact]
    public void ToServerFilter_Fallback_LoggedByServiceInsteadOfCategory()
    {
        var query = new ActivityQuery { StartUtc = Start, EndUtc = End };

        string filter = GraphAuditFilter.For(query, byCategory: false);

        Assert.Equal(
            $"loggedByService eq 'Core Directory' and activityDateTime ge {StartLiteral} and activityDateTime le {EndLiteral}",
            filter);
        Assert.DoesNotContain("category", filter);
    }

    [Fact]
    public void ToServerFilter_InitiatedByUpn_FilteredOnServer()
    {
        var query = new ActivityQuery { StartUtc = Start, EndUtc = End, InitiatedBy = "admin@contoso.com" };

        Assert.EndsWith(" and initiatedBy/user/userPrincipalName eq 'admin@contoso.com'", GraphAuditFilter.For(query, byCategory: true));
        Assert.EndsWith(" and initiatedBy/user/userPrincipalName eq 'admin@contoso.com'", GraphAuditFilter.For(query, byCategory: false));
    }

    [Fact]
    public void ToServerFilter_UpnWithQuote_Escaped()
    {
        var query = new ActivityQuery { StartUtc = Start, EndUtc = End, InitiatedBy = "o'brien@contoso.com" };

        string filter = GraphAuditFilter.For(query, byCategory: true);

        Assert.EndsWith(" and initiatedBy/user/userPrincipalName eq 'o''brien@contoso.com'", filter);
        Assert.Contains("o'brien@contoso.com", FilterText.Literals(filter));
    }

    [Fact]
    public void ToServerFilter_InjectionInUpn_StaysInsideOneLiteral()
    {
        const string attack = "x' or 1 eq 1 or 'a@contoso.com";
        var query = new ActivityQuery { StartUtc = Start, EndUtc = End, InitiatedBy = attack };

        string filter = GraphAuditFilter.For(query, byCategory: true);

        Assert.Equal(new[] { "MicrosoftSupportAccessManagement", attack }, FilterText.Literals(filter));
        Assert.Equal(
            $"category eq '' and activityDateTime ge {StartLiteral} and activityDateTime le {EndLiteral} and initiatedBy/user/userPrincipalName eq ''",
            FilterText.WithoutLiterals(filter));
    }

    [Theory]
    [InlineData("Microsoft Support Access")]
    [InlineData("3b9e5d21-7c4f-4a8e-b1d6-2f0e9c8a7b61")]
    [InlineData("*@contoso.com")]
    [InlineData("admin*")]
    [InlineData("x' or 1 eq 1 or 'a")]
    public void ToServerFilter_InitiatedByNotUpn_NoInitiatorClause(string initiatedBy)
    {
        var query = new ActivityQuery { StartUtc = Start, EndUtc = End, InitiatedBy = initiatedBy };

        string filter = GraphAuditFilter.For(query, byCategory: true);

        Assert.DoesNotContain("initiatedBy", filter);
        Assert.Equal(GraphAuditFilter.For(new ActivityQuery { StartUtc = Start, EndUtc = End }, true), filter);
    }

    [Fact]
    public void ToServerFilter_LocalTimes_Refused()
    {
        var query = new ActivityQuery { StartUtc = DateTime.Now.AddDays(-1), EndUtc = DateTime.Now };

        Assert.Throws<ArgumentException>(() => GraphAuditFilter.For(query, byCategory: true));
    }

    // ---- ActivityQuery: which -InitiatedBy values go to the server ----

    [Theory]
    [InlineData("admin@contoso.com", true)]
    [InlineData("o'brien@contoso.com", true)]
    [InlineData("ADMIN@CONTOSO.ONMICROSOFT.COM", true)]
    [InlineData("user_contoso.com#EXT#@fabrikam.onmicrosoft.com", true)]
    [InlineData("*@contoso.com", false)]
    [InlineData("admin@contoso.*", false)]
    [InlineData("adm?n@contoso.com", false)]
    [InlineData("[ab]dmin@contoso.com", false)]
    [InlineData("@contoso.com", false)]
    [InlineData("Microsoft Support Access", false)]
    [InlineData("3b9e5d21-7c4f-4a8e-b1d6-2f0e9c8a7b61", false)]
    [InlineData("", false)]
    [InlineData(null, false)]
    public void InitiatorFilterableOnServer_OnlyPlainUpns(string? initiatedBy, bool expected)
    {
        var query = new ActivityQuery { StartUtc = Start, EndUtc = End, InitiatedBy = initiatedBy };

        Assert.Equal(expected, query.InitiatorFilterableOnServer);
    }

    // ---- ClientSideFilter: what the server can't filter ----

    [Theory]
    [InlineData("admin@contoso.com", true, false)]
    [InlineData("ADMIN@CONTOSO.COM", true, false)]
    [InlineData("*@contoso.com", true, false)]
    [InlineData("3b9e5d21-7c4f-4a8e-b1d6-2f0e9c8a7b61", true, false)]
    [InlineData("Microsoft Support Access", false, true)]
    [InlineData("microsoft support*", false, true)]
    [InlineData("a0b1c2d3-0000-4000-8000-000000000001", false, true)]
    [InlineData("someone@else.com", false, false)]
    public void ClientSideFilter_InitiatedBy_MatchesUserOrApp(string initiatedBy, bool matchesUser, bool matchesApp)
    {
        var filter = new ClientSideFilter(new ActivityQuery { StartUtc = Start, EndUtc = End, InitiatedBy = initiatedBy });

        Assert.Equal(matchesUser, filter.Matches(Records.Classify(Records.Json("Request created", Records.UserInitiator))));
        Assert.Equal(matchesApp, filter.Matches(Records.Classify(Records.Json("Access removed", Records.AppInitiator))));
    }

    [Fact]
    public void ClientSideFilter_NoCriteria_MatchesEverything()
    {
        var filter = new ClientSideFilter(new ActivityQuery { StartUtc = Start, EndUtc = End, Categories = Array.Empty<Category>() });

        Assert.True(filter.Matches(Records.Classify(Records.Json("Request created", Records.NoInitiator))));
        Assert.True(filter.Matches(Records.Classify(Records.Json("Something new", Records.UserInitiator))));
    }

    [Fact]
    public void ClientSideFilter_CategoryActivityAndResult_AllMustMatch()
    {
        var filter = new ClientSideFilter(new ActivityQuery
        {
            StartUtc = Start,
            EndUtc = End,
            Categories = new[] { Category.UserInitiated },
            Activities = new[] { Activity.RequestCreated, Activity.RequestApproved },
            Results = new[] { "SUCCESS" },
        });

        Assert.True(filter.Matches(Records.Classify(Records.Json("Request approved", Records.UserInitiator))));
        Assert.False(filter.Matches(Records.Classify(Records.Json("Request approved", Records.AppInitiator))));
        Assert.False(filter.Matches(Records.Classify(Records.Json("Request rejected", Records.UserInitiator))));
        Assert.False(filter.Matches(Records.Classify(Records.Json("Request approved", Records.UserInitiator).Replace("\"success\"", "\"failure\""))));
    }

    [Fact]
    public void ClientSideFilter_TenantRole_ExcludesActivitiesWithoutRole()
    {
        var filter = new ClientSideFilter(new ActivityQuery { StartUtc = Start, EndUtc = End, TenantRoles = new[] { TenantRole.ResourceTenant } });
        string crossTenant = Records.Details(("TargetTenantId", Records.OtherTenant));

        Assert.True(filter.Matches(Records.Classify(Records.Json("Access approved", Records.AppInitiator, crossTenant))));
        Assert.False(filter.Matches(Records.Classify(Records.Json("Request created", Records.AppInitiator, crossTenant))));
        Assert.False(filter.Matches(Records.Classify(Records.Json("Access approved", Records.AppInitiator))));
    }

    /// <summary>Reads OData filter text the way the service would: string literals are
    /// '...' with '' standing for one quote.</summary>
    private static class FilterText
    {
        public static List<string> Literals(string filter)
        {
            var literals = new List<string>();
            Scan(filter, literals);
            return literals;
        }

        public static string WithoutLiterals(string filter) => Scan(filter, new List<string>());

        private static string Scan(string filter, List<string> literals)
        {
            var outside = new StringBuilder();
            int i = 0;
            while (i < filter.Length)
            {
                if (filter[i] != '\'')
                {
                    outside.Append(filter[i++]);
                    continue;
                }

                var literal = new StringBuilder();
                i++;
                while (true)
                {
                    Assert.True(i < filter.Length, $"unterminated literal in: {filter}");
                    if (filter[i] == '\'')
                    {
                        if (i + 1 < filter.Length && filter[i + 1] == '\'')
                        {
                            literal.Append('\'');
                            i += 2;
                            continue;
                        }

                        i++;
                        break;
                    }

                    literal.Append(filter[i++]);
                }

                literals.Add(literal.ToString());
                outside.Append("''");
            }

            return outside.ToString();
        }
    }
}
