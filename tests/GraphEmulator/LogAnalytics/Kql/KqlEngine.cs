using System;
using System.Collections.Generic;
using System.IO;
using System.Text;
using System.Text.Json;

namespace GraphEmulator.LogAnalytics.Kql;

/// <summary>
/// The emulator's KQL engine on its own, for tests that run Kusto's documented examples through
/// it: a query over <c>datatable</c> or <c>print</c> (no workspace, so no AuditLogs table),
/// answered as the query API answers, <c>{"tables":[{"name":"PrimaryResult","columns":[…],"rows":[…]}]}</c>.
/// </summary>
public static class KqlEngine
{
    /// <exception cref="ArgumentException">The engine refuses the query; the message starts with SyntaxError or SemanticError.</exception>
    public static string Run(string query)
    {
        KqlPlan plan = Bind(query, tableExists: false);
        List<object> rows = plan.Run([]);
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteStartArray("tables");
            writer.WriteStartObject();
            writer.WriteString("name", LogAnalyticsFaultRule.PrimaryResult);
            writer.WriteStartArray("columns");
            foreach (KqlColumn column in plan.Columns)
            {
                writer.WriteStartObject();
                writer.WriteString("name", column.Name);
                writer.WriteString("type", column.TypeName);
                writer.WriteEndObject();
            }
            writer.WriteEndArray();
            writer.WriteStartArray("rows");
            foreach (object row in rows)
            {
                writer.WriteStartArray();
                foreach (KqlColumn column in plan.Columns)
                    LogAnalyticsJson.WriteCell(writer, column.Type, column.Get(row));
                writer.WriteEndArray();
            }
            writer.WriteEndArray();
            writer.WriteEndObject();
            writer.WriteEndArray();
            writer.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>
    /// The TimeGenerated window [start, end) of a query as if a workspace had the AuditLogs table
    /// (README.md, "The KQL accepted": what time-based faults look at, and the rows the query is
    /// given); null for a side left open.
    /// </summary>
    /// <exception cref="ArgumentException">The engine refuses the query; the message starts with SyntaxError or SemanticError.</exception>
    public static (DateTime? Start, DateTime? End) Window(string query)
    {
        KqlPlan plan = Bind(query, tableExists: true);
        return (plan.WindowStart == long.MinValue ? null : new DateTime(plan.WindowStart, DateTimeKind.Utc),
            plan.WindowEnd == long.MaxValue ? null : new DateTime(plan.WindowEnd, DateTimeKind.Utc));
    }

    /// <summary>The query parsed and bound; a refusal as an ArgumentException whose message starts with its code.</summary>
    private static KqlPlan Bind(string query, bool tableExists)
    {
        ArgumentNullException.ThrowIfNull(query);
        try
        {
            return KqlPlan.Bind(query, KqlParser.Parse(query), tableExists);
        }
        catch (KqlException ex)
        {
            throw new ArgumentException($"{ex.Code}: {ex.Message}", nameof(query), ex);
        }
    }
}
