using System;

namespace SupportAccessLogs;

/// <summary>The module as built: what generated files and reports say made them.</summary>
internal static class ModuleBuild
{
    /// <summary>The module's version, X.Y.Z: build.ps1 stamps the assembly with the manifest's ModuleVersion (four parts, the last 0).</summary>
    public static string Version
    {
        get
        {
            Version version = typeof(ModuleBuild).Assembly.GetName().Version ?? new Version(0, 0, 0, 0);
            return version.ToString(3);
        }
    }
}
