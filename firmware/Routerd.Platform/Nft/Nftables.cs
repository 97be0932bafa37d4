using System.Runtime.InteropServices;
using static Routerd.Platform.Nft.LibNftables;

namespace Routerd.Platform.Nft;

public sealed record NftResult(bool Succeeded, string Output, string Error);

/// <summary>nft commands run in this process through libnftables, in the same language as the
/// `nft` command and with the same atomicity (one buffer, one transaction). A `nft` process per
/// call cost 10-15 ms on the development host and a quarter of a second under emulation, on every
/// priority toggle, settings change and traffic sample. One context, one caller at a time.</summary>
public sealed class Nftables : IDisposable
{
    readonly Lock gate = new();
    NftContextHandle? context;

    /// <param name="dryRun">only check the commands, as `nft -c` does.</param>
    /// <param name="json">print listings as JSON, as `nft -j` does.</param>
    /// <param name="terse">leave set elements out of listings, as `nft -t` does.</param>
    public NftResult Run(string commands, bool dryRun = false, bool json = false, bool terse = false)
    {
        lock (gate)
        {
            var ctx = context ??= Open();
            nft_ctx_set_dry_run(ctx, dryRun);
            nft_ctx_output_set_flags(ctx, (json ? NFT_CTX_OUTPUT_JSON : 0) | (terse ? NFT_CTX_OUTPUT_TERSE : 0));
            int status = nft_run_cmd_from_buffer(ctx, commands);
            // Both buffers are read every time: reading is what empties them for the next call.
            string output = Marshal.PtrToStringUTF8(nft_ctx_get_output_buffer(ctx)) ?? "";
            string error = Marshal.PtrToStringUTF8(nft_ctx_get_error_buffer(ctx)) ?? "";
            return new NftResult(status == 0, output, error.Trim());
        }
    }

    static NftContextHandle Open()
    {
        NftContextHandle ctx;
        try { ctx = nft_ctx_new(NFT_CTX_DEFAULT); }
        catch (DllNotFoundException e)
        {
            throw new InvalidOperationException("libnftables.so.1 cannot be loaded (Debian package libnftables1, which nftables depends on): " + e.Message, e);
        }
        if (ctx.IsInvalid) throw new InvalidOperationException("libnftables could not make a context (out of memory?)");
        nft_ctx_buffer_output(ctx);
        nft_ctx_buffer_error(ctx);
        return ctx;
    }

    public void Dispose()
    {
        lock (gate) context?.Dispose();
    }
}
