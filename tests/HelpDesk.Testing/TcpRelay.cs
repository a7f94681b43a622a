using System.Net;
using System.Net.Sockets;

namespace HelpDesk.Testing;

/// <summary>
/// A loopback TCP relay in front of a server (PostgreSQL) that a test can take down and bring back: while
/// <see cref="Down"/>, every relayed connection is reset and new ones are refused, which is what a client sees of a
/// stopped server, without stopping the one server other tests of the run share. <see cref="Up"/> listens again on the
/// same port.
/// </summary>
public sealed class TcpRelay : IAsyncDisposable
{
    private readonly IPEndPoint _target;
    private readonly Lock _lock = new();
    private readonly List<TcpClient> _open = [];
    private TcpListener? _listener;
    private CancellationTokenSource _stop = new();

    private TcpRelay(IPEndPoint target)
    {
        _target = target;
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _ = AcceptAsync(_listener, _stop.Token);
    }

    public int Port { get; }

    /// <summary>Between <see cref="Down"/> and <see cref="Up"/>.</summary>
    public bool IsDown
    {
        get { lock (_lock) return _listener is null; }
    }

    /// <summary>A relay to <paramref name="host"/>:<paramref name="port"/> (resolved once), listening now.</summary>
    public static TcpRelay Start(string host, int port)
    {
        var address = IPAddress.TryParse(host, out var ip) ? ip : Dns.GetHostAddresses(host).First(a => a.AddressFamily == AddressFamily.InterNetwork);
        return new TcpRelay(new IPEndPoint(address, port));
    }

    /// <summary>The server "stops": open connections are reset, new ones refused.</summary>
    public void Down()
    {
        lock (_lock)
        {
            _stop.Cancel();
            _listener?.Stop();
            _listener = null;
            foreach (var client in _open)
            {
                try { client.Client.LingerState = new LingerOption(true, 0); } catch (ObjectDisposedException) { }
                client.Dispose();
            }
            _open.Clear();
        }
    }

    /// <summary>The server is back on the same port.</summary>
    public void Up()
    {
        lock (_lock)
        {
            if (_listener is not null) return;
            _stop = new CancellationTokenSource();
            _listener = new TcpListener(IPAddress.Loopback, Port);
            _listener.Server.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            _listener.Start();
            _ = AcceptAsync(_listener, _stop.Token);
        }
    }

    private async Task AcceptAsync(TcpListener listener, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            TcpClient inbound;
            try { inbound = await listener.AcceptTcpClientAsync(stop); }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException) { return; }
            _ = RelayAsync(inbound, stop);
        }
    }

    private async Task RelayAsync(TcpClient inbound, CancellationToken stop)
    {
        var outbound = new TcpClient();
        try
        {
            await outbound.ConnectAsync(_target, stop);
            lock (_lock)
            {
                if (stop.IsCancellationRequested) throw new OperationCanceledException();
                _open.Add(inbound);
                _open.Add(outbound);
            }
            await Task.WhenAny(Copy(inbound, outbound, stop), Copy(outbound, inbound, stop));
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or IOException or ObjectDisposedException) { }
        finally
        {
            lock (_lock)
            {
                _open.Remove(inbound);
                _open.Remove(outbound);
            }
            inbound.Dispose();
            outbound.Dispose();
        }
    }

    private static async Task Copy(TcpClient from, TcpClient to, CancellationToken stop)
    {
        try { await from.GetStream().CopyToAsync(to.GetStream(), stop); }
        catch (Exception e) when (e is OperationCanceledException or IOException or ObjectDisposedException or SocketException) { }
    }

    public ValueTask DisposeAsync()
    {
        Down();
        return ValueTask.CompletedTask;
    }
}
