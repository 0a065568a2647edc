using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.RegularExpressions;

namespace GraphEmulator.OData;

/// <summary>
/// Parses the $filter subset that Graph documents for directoryAudits (docs/architecture.md, "Facts from Microsoft's documentation") and rejects
/// everything else, so a client that builds a filter the real service would refuse fails here too.
/// </summary>
/// <remarks>
/// Grammar: <c>clause ("and" clause)*</c>, where a clause is <c>prop eq 'text'</c>,
/// <c>activityDateTime (eq|ge|le) DateTimeOffset</c>, <c>startswith(prop,'text')</c> or
/// <c>targetResources/any(v: v/id eq 'text')</c>. Keywords and names are case-insensitive.
/// </remarks>
internal sealed partial class FilterParser
{
    public const string CategoryProperty = "category";
    private const string ActivityDateTime = "activityDateTime";
    private const string TargetResourcesAny = "targetResources/any";

    private static readonly Dictionary<string, Func<AuditRecord, string?>> EqualsProperties = new(StringComparer.OrdinalIgnoreCase)
    {
        [CategoryProperty] = r => r.Category,
        ["activityDisplayName"] = r => r.ActivityDisplayName,
        ["correlationId"] = r => r.CorrelationId,
        ["id"] = r => r.Id,
        ["loggedByService"] = r => r.LoggedByService,
        ["initiatedBy/user/id"] = r => r.InitiatedBy?.User?.Id,
        ["initiatedBy/user/displayName"] = r => r.InitiatedBy?.User?.DisplayName,
        ["initiatedBy/user/userPrincipalName"] = r => r.InitiatedBy?.User?.UserPrincipalName,
        ["initiatedBy/app/appId"] = r => r.InitiatedBy?.App?.AppId,
        ["initiatedBy/app/displayName"] = r => r.InitiatedBy?.App?.DisplayName,
    };

    private static readonly Dictionary<string, Func<AuditRecord, string?>> StartsWithProperties = new(StringComparer.OrdinalIgnoreCase)
    {
        ["activityDisplayName"] = r => r.ActivityDisplayName,
        ["initiatedBy/user/userPrincipalName"] = r => r.InitiatedBy?.User?.UserPrincipalName,
    };

    // Graph documents eq/ge/le for activityDateTime; the rest are recognised only to name them in the 400.
    private static readonly string[] DateTimeOperators = ["eq", "ge", "le"];
    private static readonly string[] OtherOperators = ["ne", "gt", "lt", "has", "in", "add", "sub", "mul", "div", "mod"];

    private readonly List<Token> _tokens;
    private readonly bool _allowCategory;
    private int _next;

    private FilterParser(string text, bool allowCategory)
    {
        _tokens = FilterLexer.Tokenize(text);
        _allowCategory = allowCategory;
    }

    /// <exception cref="FilterException">The filter is outside the supported subset.</exception>
    public static ODataFilter Parse(string text, bool allowCategory = true)
    {
        if (string.IsNullOrWhiteSpace(text))
            throw new FilterException("the filter is empty");
        return new FilterParser(text, allowCategory).ParseFilter();
    }

    private ODataFilter ParseFilter()
    {
        var clauses = new List<FilterClause> { ParseClause() };
        while (Peek.Kind != TokenKind.End)
        {
            Token joiner = Take();
            if (joiner.IsKeyword("and"))
            {
                clauses.Add(ParseClause());
                continue;
            }
            if (joiner.IsKeyword("or"))
                throw new FilterException("'or' is not supported; clauses can only be joined with 'and'");
            throw new FilterException($"expected 'and' or the end of the filter, found {joiner.Describe()} at position {joiner.Position}");
        }
        return new ODataFilter(clauses);
    }

    private FilterClause ParseClause()
    {
        Token first = Take();
        if (first.Kind == TokenKind.OpenParen)
            throw new FilterException("parentheses are not supported");
        if (first.IsKeyword("not"))
            throw new FilterException("'not' is not supported");
        if (first.Kind != TokenKind.Identifier)
            throw new FilterException($"expected a property or function, found {first.Describe()} at position {first.Position}");

        if (Peek.Kind == TokenKind.OpenParen)
        {
            if (first.IsKeyword("startswith"))
                return ParseStartsWith();
            if (first.IsKeyword(TargetResourcesAny))
                return ParseTargetAny();
            throw new FilterException($"function '{first.Text}' is not supported");
        }

        return ParseComparison(first);
    }

    private FilterClause ParseComparison(Token property)
    {
        Token op = Take();
        string opName = op.Text.ToLowerInvariant();
        if (op.Kind != TokenKind.Identifier || !(DateTimeOperators.Contains(opName) || OtherOperators.Contains(opName)))
            throw new FilterException($"expected an operator after '{property.Text}', found {op.Describe()}");

        if (string.Equals(property.Text, ActivityDateTime, StringComparison.OrdinalIgnoreCase))
        {
            if (!DateTimeOperators.Contains(opName))
                throw new FilterException($"operator '{op.Text}' is not supported for '{ActivityDateTime}'");
            return new DateTimeClause(opName, ReadDateTime());
        }

        if (!EqualsProperties.TryGetValue(property.Text, out var read)
            || (!_allowCategory && string.Equals(property.Text, CategoryProperty, StringComparison.OrdinalIgnoreCase)))
            throw new FilterException($"property '{property.Text}' is not supported");
        if (opName != "eq")
            throw new FilterException($"operator '{op.Text}' is not supported for '{property.Text}'");
        return new StringEqualsClause(read, ReadString(property.Text));
    }

    private FilterClause ParseStartsWith()
    {
        Expect(TokenKind.OpenParen, "'('");
        Token property = Expect(TokenKind.Identifier, "a property");
        if (!StartsWithProperties.TryGetValue(property.Text, out var read))
            throw new FilterException($"startswith is not supported on '{property.Text}'");
        Expect(TokenKind.Comma, "','");
        string prefix = ReadString("startswith");
        Expect(TokenKind.CloseParen, "')'");
        return new StartsWithClause(read, prefix);
    }

    private FilterClause ParseTargetAny()
    {
        Expect(TokenKind.OpenParen, "'('");
        Token variable = Expect(TokenKind.Identifier, "a lambda variable");
        if (variable.Text.Contains('/') || variable.Text.Contains('.'))
            throw new FilterException($"'{variable.Text}' is not a lambda variable name");
        Expect(TokenKind.Colon, "':'");
        Token path = Expect(TokenKind.Identifier, $"'{variable.Text}/id'");
        if (!string.Equals(path.Text, variable.Text + "/id", StringComparison.OrdinalIgnoreCase))
            throw new FilterException($"only '{variable.Text}/id eq' is supported inside targetResources/any, found '{path.Text}'");
        Token op = Take();
        if (!op.IsKeyword("eq"))
            throw new FilterException($"only 'eq' is supported inside targetResources/any, found {op.Describe()}");
        string id = ReadString("targetResources/any");
        Expect(TokenKind.CloseParen, "')'");
        return new TargetIdClause(id);
    }

    private string ReadString(string context)
    {
        Token token = Take();
        if (token.Kind != TokenKind.String)
            throw new FilterException($"expected a quoted string for '{context}', found {token.Describe()}");
        return token.Text;
    }

    private DateTimeOffset ReadDateTime()
    {
        Token token = Take();
        if (token.Kind == TokenKind.String)
            throw new FilterException($"'{ActivityDateTime}' takes an unquoted DateTimeOffset literal, found {token.Describe()}");
        if (token.Kind != TokenKind.Literal || !DateTimeOffsetLiteral().IsMatch(token.Text)
            || !DateTimeOffset.TryParse(token.Text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out DateTimeOffset value))
            throw new FilterException($"{token.Describe()} is not a valid DateTimeOffset literal");
        return value;
    }

    private Token Expect(TokenKind kind, string what)
    {
        Token token = Take();
        if (token.Kind != kind)
            throw new FilterException($"expected {what}, found {token.Describe()} at position {token.Position}");
        return token;
    }

    private Token Peek => _tokens[_next];

    private Token Take() => _tokens[Math.Min(_next++, _tokens.Count - 1)];

    // OData's DateTimeOffset: seconds and up to 7 fractional digits optional, offset required.
    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,7})?)?(Z|[+-]\d{2}:\d{2})$", RegexOptions.CultureInvariant)]
    private static partial Regex DateTimeOffsetLiteral();
}
