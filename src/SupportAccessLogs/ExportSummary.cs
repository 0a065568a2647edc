using System;

namespace SupportAccessLogs;

/// <summary>What one Export-SupportAccessActivity run did to its evidence file: the one object
/// it writes, for a runbook's log.</summary>
public sealed class ExportSummary
{
    internal ExportSummary()
    {
    }

    public string Path { get; internal set; } = "";
    public EvidenceFileFormat Format { get; internal set; }
    /// <summary>Activities this run added to the file.</summary>
    public long Appended { get; internal set; }
    /// <summary>Activities read again (the overlap, or a retried run) that the file held already.</summary>
    public long AlreadyPresent { get; internal set; }
    /// <summary>The span this run read, over every tenant and window: from the oldest window's start (what an earlier run left unread, or the end of the last window minus the overlap, or a new file's start) to the end.</summary>
    public object WindowStart => IsoDateTime.Wrap(WindowStartTime);
    public object WindowEnd => IsoDateTime.Wrap(WindowEndTime);
    /// <summary>Activity that was to be read and that the source could no longer serve (past its retention), accepted with -AllowGap: from here…</summary>
    public object? GapStart => GapStartTime is DateTime start ? IsoDateTime.Wrap(start) : null;
    /// <summary>…to here. Empty when nothing is missing.</summary>
    public object? GapEnd => GapEndTime is DateTime end ? IsoDateTime.Wrap(end) : null;
    /// <summary>Bytes of a record torn by an earlier run that stopped mid-write, cut off and read again.</summary>
    public long RepairedBytes { get; internal set; }
    /// <summary>Where those bytes were kept (beside the file); empty when none.</summary>
    public string? TornRecordPath { get; internal set; }
    /// <summary>Windows an earlier run set out to read and did not finish, read by this run, per tenant; empty when none.</summary>
    public string Resumed { get; internal set; } = "";
    /// <summary>True when every tenant's windows were read to the end; false when a tenant failed (the next run reads what it lacks).</summary>
    public bool Complete { get; internal set; }
    /// <summary>The checkpoint beside the file, which says what each tenant has read.</summary>
    public string CheckpointPath { get; internal set; } = "";

    internal DateTime WindowStartTime { get; set; }
    internal DateTime WindowEndTime { get; set; }
    internal DateTime? GapStartTime { get; set; }
    internal DateTime? GapEndTime { get; set; }

    public override string ToString() => $"{Path}: {Appended} appended, {AlreadyPresent} already present";
}
