using System.Management.Automation;

namespace SupportAccessLogs.Commands;

/// <summary>Verbose and Warning straight to the pipeline (the pipeline thread's own work),
/// cleaned as every other message is: they name ids and names from the input, which anyone
/// who wrote an audit record or a CSV chose.</summary>
internal sealed class CmdletMessageSink : IMessageSink
{
    private readonly Cmdlet _cmdlet;

    public CmdletMessageSink(Cmdlet cmdlet) => _cmdlet = cmdlet;

    public void Verbose(string message) => _cmdlet.WriteVerbose(ServerText.Clean(message));

    public void Warning(string message) => _cmdlet.WriteWarning(ServerText.Clean(message));
}
