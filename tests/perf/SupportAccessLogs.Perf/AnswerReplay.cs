using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.IO;
using System.Net;
using System.Net.Http;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using GraphEmulator;

namespace SupportAccessLogs.Perf;

/// <summary>
/// The Log Analytics query API with its answers recorded: each query the emulator answered, sent to
/// it once more and its answer kept byte for byte, then served for the same query and timespan with
/// no work beyond a dictionary lookup. The module reads it as it reads a workspace, so a read's wall
/// time against it is the module's and the wire's, not the emulator's KQL interpreter's.
/// </summary>
internal sealed class AnswerReplay : IDisposable
{
    private readonly EmulatorServer _server;
    private readonly string _token;
    private readonly ConcurrentDictionary<string, byte[]> _answers = new(StringComparer.Ordinal);
    private readonly HttpListener _listener = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _serving;

    public AnswerReplay(EmulatorServer server, string token)
    {
        _server = server;
        _token = token;
        int port = FreePort();
        BaseAddress = new Uri($"http://127.0.0.1:{port}/");
        _listener.Prefixes.Add(BaseAddress.ToString());
        _listener.Start();
        _serving = Task.Run(ServeAsync);
    }

    public Uri BaseAddress { get; }

    /// <summary>Sends each query to the emulator and keeps its answer.</summary>
    public async Task RecordAsync(IEnumerable<(string Kql, string? Timespan)> queries)
    {
        using var http = new HttpClient();
        var url = new Uri(_server.BaseAddress, $"v1/workspaces/{DemoWorkspace.WorkspaceId}/query");
        foreach ((string kql, string? timespan) in queries)
        {
            string key = Key(kql, timespan);
            if (_answers.ContainsKey(key))
            {
                continue;
            }

            using var request = new HttpRequestMessage(HttpMethod.Post, url);
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", _token);
            request.Content = new StringContent(JsonSerializer.Serialize(new Dictionary<string, string?> { ["query"] = kql, ["timespan"] = timespan }), Encoding.UTF8, "application/json");
            using HttpResponseMessage response = await http.SendAsync(request);
            response.EnsureSuccessStatusCode();
            _answers[key] = await response.Content.ReadAsByteArrayAsync();
        }
    }

    private async Task ServeAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
                return;
            }

            _ = Task.Run(() => AnswerAsync(context));
        }
    }

    private async Task AnswerAsync(HttpListenerContext context)
    {
        using (context.Response)
        {
            using var body = new StreamReader(context.Request.InputStream, Encoding.UTF8);
            using JsonDocument request = JsonDocument.Parse(await body.ReadToEndAsync());
            string kql = request.RootElement.GetProperty("query").GetString()!;
            string? timespan = request.RootElement.TryGetProperty("timespan", out JsonElement span) ? span.GetString() : null;
            if (!_answers.TryGetValue(Key(kql, timespan), out byte[]? answer))
            {
                context.Response.StatusCode = 404;
                return;
            }

            context.Response.StatusCode = 200;
            context.Response.ContentType = "application/json; charset=utf-8";
            context.Response.ContentLength64 = answer.Length;
            await context.Response.OutputStream.WriteAsync(answer);
        }
    }

    private static string Key(string kql, string? timespan) => timespan + "\n" + kql;

    private static int FreePort()
    {
        using var socket = new TcpListener(IPAddress.Loopback, 0);
        socket.Start();
        return ((IPEndPoint)socket.LocalEndpoint).Port;
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
        _listener.Close();
        try
        {
            _serving.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
        }

        _stop.Dispose();
    }
}
