namespace SupportAccessLogs;

/// <summary>Where the services send what a cmdlet shows on its Verbose and Warning streams.</summary>
internal interface IMessageSink
{
    void Verbose(string message);
    void Warning(string message);
}

/// <summary>Where the query service reports what it is doing, progress included.</summary>
internal interface IQueryReporter : IMessageSink
{
    void PageRead(int pageNumber, long recordsRead, long activitiesWritten);
}
