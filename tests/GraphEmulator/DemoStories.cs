namespace GraphEmulator;

/// <summary>
/// The fixed ids of the demo tenant's stories (Data/Stories.cs; README.md, "Stories"): support
/// requests whose whole lives lie at fixed offsets from the anchor. Unlike the scenario table's,
/// these ids never depend on the seed. Only an emulator serving <see cref="DemoTenant.TenantId"/>
/// has the stories.
/// </summary>
public static class DemoStories
{
    /// <summary>How many stories there are (numbered 1..Count).</summary>
    public const int Count = 11;

    /// <summary>The id of step <paramref name="step"/> of story <paramref name="story"/>: <c>5e000000-00SS-4000-8000-0000000000TT</c>.</summary>
    public static string RecordId(int story, int step) => $"5e000000-{story:D4}-4000-8000-{step:D12}";

    /// <summary>The correlation id every step of the story shares: <c>5c000000-00SS-4000-8000-000000000000</c>.</summary>
    public static string CorrelationId(int story) => $"5c000000-{story:D4}-4000-8000-000000000000";

    /// <summary>
    /// The id of the story's request, the target resource "Microsoft Support access request"
    /// every step names: <c>5a000000-00SS-4000-8000-000000000000</c>.
    /// </summary>
    public static string TargetId(int story) => $"5a000000-{story:D4}-4000-8000-000000000000";
}
