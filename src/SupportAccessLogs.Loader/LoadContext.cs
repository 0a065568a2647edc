using System;
using System.IO;
using System.Reflection;
using System.Runtime.Loader;

namespace SupportAccessLogs.Loader;

/// <summary>
/// Loads SupportAccessLogs.dll and its dependencies (Graph SDK, Kiota, Azure.Core, MSAL) into a
/// private load context, so that other modules in the same session (Az.Accounts,
/// Microsoft.Graph.Authentication) can load other versions of the same assemblies.
/// </summary>
public sealed class LoadContext : AssemblyLoadContext
{
    private static readonly object Sync = new();
    private static LoadContext? _instance;

    private readonly string _assemblyDirectory;
    private readonly Assembly _loaderAssembly;
    private readonly Assembly _moduleAssembly;

    private LoadContext(string moduleAssemblyPath)
        : base(name: "SupportAccessLogs", isCollectible: false)
    {
        _assemblyDirectory = Path.GetDirectoryName(moduleAssemblyPath)!;
        _loaderAssembly = typeof(LoadContext).Assembly;
        _moduleAssembly = LoadFromAssemblyPath(moduleAssemblyPath);
    }

    /// <summary>Returns the module assembly, creating the load context on first use.</summary>
    /// <remarks>
    /// A load context can't be unloaded while PowerShell holds cmdlet types from it, so a
    /// re-import (Import-Module -Force) reuses the first one.
    /// </remarks>
    public static Assembly Initialize()
    {
        lock (Sync)
        {
            if (_instance is null)
            {
                string directory = Path.GetDirectoryName(typeof(LoadContext).Assembly.Location)!;
                _instance = new LoadContext(Path.Combine(directory, "SupportAccessLogs.dll"));
            }

            return _instance._moduleAssembly;
        }
    }

    protected override Assembly? Load(AssemblyName assemblyName)
    {
        // The loader itself must keep one identity across both contexts.
        if (AssemblyName.ReferenceMatchesDefinition(_loaderAssembly.GetName(), assemblyName))
        {
            return _loaderAssembly;
        }

        if (!IsPlainFileName(assemblyName.Name))
        {
            // A name such as "../x" or "/tmp/x" would make the path below point outside the
            // module's folder; such a name is no assembly of ours.
            return null;
        }

        string candidate = Path.Combine(_assemblyDirectory, assemblyName.Name + ".dll");
        // Returning null hands the request to the default context: that is how
        // System.Management.Automation and the runtime's own assemblies are shared.
        return File.Exists(candidate) ? LoadFromAssemblyPath(candidate) : null;
    }

    /// <summary>True for a name that can only be a file in the module's own folder.</summary>
    public static bool IsPlainFileName(string? name) =>
        !string.IsNullOrWhiteSpace(name)
        && name!.AsSpan().IndexOfAny('/', '\\', ':') < 0
        && name.IndexOfAny(Path.GetInvalidFileNameChars()) < 0
        && name != "."
        && name != "..";
}
