using System;
using System.Collections.Generic;
using SupportAccessLogs.Classification;
using SupportAccessLogs.Records;

namespace SupportAccessLogs.Activities;

/// <summary>
/// Decides, record by record, what a query writes: support-access records only, classified, with
/// one warning per unknown activity name, through the client-side filters and past -Skip.
/// </summary>
internal sealed class RecordSieve
{
    private readonly ActivityClassifier _classifier;
    private readonly ClientSideFilter _filter;
    private readonly ulong _skip;
    private readonly IMessageSink _reporter;
    private readonly UnknownActivityNames _unknownNames;
    private readonly RecordShapes? _shapes;
    private ulong _skipped;

    /// <param name="shapes">Where the shapes of the records are tallied, when -Verbose is to describe them.</param>
    /// <param name="unknownNames">The unknown names already reported in this command (shared by the tenants it reads); null for this read alone.</param>
    public RecordSieve(ActivityClassifier classifier, ClientSideFilter filter, ulong skip, IMessageSink reporter, RecordShapes? shapes = null, UnknownActivityNames? unknownNames = null)
    {
        _unknownNames = unknownNames ?? new UnknownActivityNames();
        _classifier = classifier;
        _filter = filter;
        _skip = skip;
        _reporter = reporter;
        _shapes = shapes;
    }

    /// <summary>Activities that passed every filter, including those passed over by -Skip.</summary>
    public long MatchedCount { get; private set; }

    /// <summary>The activity to write for this record, or null.</summary>
    public SupportAccessActivity? Admit(ParsedAuditRecord parsed)
    {
        if (!ActivityClassifier.IsSupportAccessRecord(parsed.Record))
        {
            return null;
        }

        SupportAccessActivity activity = _classifier.Classify(parsed.Record, parsed.Raw, parsed.RawColumns);
        _shapes?.Note(parsed.Record, activity);
        if (activity.Activity == Activity.Other && _unknownNames.FirstTime(activity.ActivityDisplayName))
        {
            _reporter.Warning($"Unknown support access activity '{activity.ActivityDisplayName}' (first seen in record {activity.Id}); it is returned with Activity 'Other'.");
        }

        if (activity.Initiator is InitiatorEvidence.PlaceholderUser or InitiatorEvidence.UnidentifiedUser)
        {
            // Said for each such record: these are the records a user would otherwise read as
            // someone's action, and the reason is what tells them apart.
            _reporter.Verbose($"Record {activity.Id} ('{activity.ActivityDisplayName}') is not taken as a user's action: {ClassificationRules.Describe(activity.Initiator)}. It is {activity.Category} / {activity.Activity}.");
        }

        if (!_filter.Matches(activity))
        {
            return null;
        }

        MatchedCount++;
        if (_skipped < _skip)
        {
            _skipped++;
            return null;
        }

        return activity;
    }
}

/// <summary>The unknown activity names a command has warned of: one warning per name, however many tenants it reads.</summary>
internal sealed class UnknownActivityNames
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, bool> _seen = new(StringComparer.OrdinalIgnoreCase);

    public bool FirstTime(string name) => _seen.TryAdd(name.Trim(), true);
}
