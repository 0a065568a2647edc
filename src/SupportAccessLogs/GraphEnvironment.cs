namespace SupportAccessLogs;

/// <summary>The national clouds Microsoft Graph runs in.</summary>
public enum GraphEnvironment
{
    Global,
    USGov,
    USGovDoD,
    China,
}
