using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Routerd.Core.Loop;
using Routerd.WebUi;

namespace Routerd;

/// <summary>Moves the web listener with the LAN address: once the first apply has put it on the
/// bridge, and then whenever the loop publishes a snapshot with other LAN addresses (a change,
/// its fallback, a rollback). Kestrel rebinds here, off the loop's thread.</summary>
sealed class LanFollower(Router router, LanListener listener) : BackgroundService
{
    readonly Channel<bool> changed = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    string last = "";

    protected override async Task ExecuteAsync(CancellationToken stop)
    {
        router.Published += OnPublished; // on the loop's thread: compares, never waits
        await router.Applied.WaitAsync(stop);
        do listener.Follow(router.Snapshot.LanAddresses());
        while (await changed.Reader.WaitToReadAsync(stop) && changed.Reader.TryRead(out _));
    }

    void OnPublished(RouterSnapshot s)
    {
        string now = string.Join(',', s.LanAddresses());
        if (now == last) return;
        last = now;
        changed.Writer.TryWrite(true);
    }
}
