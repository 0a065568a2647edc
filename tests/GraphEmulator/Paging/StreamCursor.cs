namespace GraphEmulator.Paging;

/// <summary>
/// A position in the served sequence: how many scenario, bulk and late records, counted in the
/// sequence's direction, have already been passed. Counters rather than one offset, so a
/// continuation resumes where it stopped instead of re-reading everything before it. The late
/// count is a position in the version of the late records the sequence started with
/// (<see cref="Continuation.Late"/>), which never changes under it.
/// </summary>
internal readonly record struct StreamCursor(int Scenario, int Bulk, int Late = 0)
{
    public static StreamCursor Start => default;
}
