using System.Management.Automation;
using Microsoft.PowerShell.Commands;

namespace SupportAccessLogs.Commands;

/// <summary>Resolves a path parameter that must name a file on disk.</summary>
internal static class FileSystemPath
{
    /// <summary>
    /// The file system path for <paramref name="path"/>, relative to the current location. A path
    /// on another provider (Env:, Cert:, HKLM:, Variable:) would otherwise turn into a bare name
    /// looked up in the process's working directory: refused with a clear error instead.
    /// </summary>
    public static string Resolve(PSCmdlet cmdlet, string path, string parameterName)
    {
        string resolved;
        ProviderInfo provider;
        try
        {
            resolved = cmdlet.SessionState.Path.GetUnresolvedProviderPathFromPSPath(path, out provider, out _);
        }
        catch (System.Exception ex) when (ex is ItemNotFoundException or DriveNotFoundException or ProviderNotFoundException or System.NotSupportedException or PSArgumentException)
        {
            throw new ModuleException("PathNotFileSystem", ErrorCategory.InvalidArgument,
                $"{parameterName} '{path}' is not a file system path ({ex.Message}). Give the path of a file on disk.", path);
        }

        if (provider.ImplementingType != typeof(FileSystemProvider))
        {
            throw new ModuleException("PathNotFileSystem", ErrorCategory.InvalidArgument,
                $"{parameterName} '{path}' is on the {provider.Name} provider, not the file system. Give the path of a file on disk (for example ./app.pfx or C:\\certs\\app.pfx).", path);
        }

        return resolved;
    }

    /// <summary>
    /// The file as Get-Item gives it: with the provider's members, so PowerShell's view shows its
    /// mode and size (a FileInfo made by hand shows them blank). Still a FileInfo underneath.
    /// </summary>
    public static PSObject Item(PSCmdlet cmdlet, System.IO.FileInfo file)
    {
        System.Collections.ObjectModel.Collection<PSObject> items = cmdlet.InvokeProvider.Item.Get(new[] { file.FullName }, force: true, literalPath: true);
        return items.Count == 1 ? items[0] : new PSObject(file);
    }
}
