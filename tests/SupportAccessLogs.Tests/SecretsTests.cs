using System;
using Xunit;
using SupportAccessLogs.Commands;

namespace SupportAccessLogs.Tests;

/// <summary>Tokens a server echoes back never reach a stream or an error (issue 22's leak).</summary>
public class SecretsTests
{
    private const string Jwt = "eyJhbGciOiJub25lIn0.eyJ0aWQiOiJhYmMiLCJzY3AiOiJBdWRpdExvZy5SZWFkLkFsbCJ9.c2lnbmF0dXJl";

    [Theory]
    [InlineData("Bad token: Bearer " + Jwt, "Bad token: Bearer [redacted]")]
    [InlineData("Bad token: " + Jwt + " (expired)", "Bad token: [redacted] (expired)")]
    [InlineData("header was 'bearer abc.def-ghi_jkl~mno+pqr/stu=='", "header was 'bearer [redacted]'")]
    [InlineData("nothing secret here: eyJ is a prefix, Bearer alone", "nothing secret here: eyJ is a prefix, Bearer alone")]
    public void Redact_BearerTokensAndJwts(string text, string expected) =>
        Assert.Equal(expected, Secrets.Redact(text));

    [Fact]
    public void Redact_ATokenThisProcessSent_EvenWhenItIsNotAJwt()
    {
        string opaque = "EwBwA8l6BAAU" + Guid.NewGuid().ToString("N");
        Secrets.Remember(opaque);

        Assert.Equal("rejected [redacted] at the gateway", Secrets.Redact($"rejected {opaque} at the gateway"));
    }

    [Fact]
    public void Clean_RedactsAsItCleans_AndAnExceptionChainIsChecked()
    {
        Assert.Equal("Bad token: Bearer [redacted] red", ServerText.Clean("Bad token: Bearer " + Jwt + " \u001b[31mred"));
        Assert.True(Secrets.AnyIn(new InvalidOperationException("outer", new Exception("inner " + Jwt))));
        Assert.False(Secrets.AnyIn(new InvalidOperationException("outer", new Exception("inner"))));
    }

    [Fact]
    public void AnErrorRecord_OfAFailureThatEchoesAToken_HoldsNoExceptionThatCarriesIt()
    {
        var failure = new ModuleException("GraphBadRequest", System.Management.Automation.ErrorCategory.InvalidArgument, "The service said: Bad token: Bearer " + Jwt, null, new Exception(Jwt));

        System.Management.Automation.ErrorRecord record = ErrorRecords.ToErrorRecord(failure, null);

        Assert.Equal("GraphBadRequest", record.FullyQualifiedErrorId);
        Assert.DoesNotContain(Jwt, record.Exception.ToString());
        Assert.DoesNotContain(Jwt, record.ErrorDetails?.Message ?? "");
        Assert.Contains("[redacted]", record.Exception.Message);
    }
}
