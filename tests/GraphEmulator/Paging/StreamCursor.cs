namespace GraphEmulator.Paging;

/// <summary>
/// A position in the served sequence: how many scenario and how many bulk records, counted in the
/// sequence's direction, have already been passed. Two counters rather than one offset, so a
/// continuation resumes where it stopped instead of re-reading everything before it.
/// </summary>
internal readonly record struct StreamCursor(int Scenario, int Bulk)
{
    public static StreamCursor Start => default;
}
