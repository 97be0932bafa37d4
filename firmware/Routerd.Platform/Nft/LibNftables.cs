using System.Runtime.InteropServices;

#pragma warning disable CS8981, IDE1006 // libnftables' names, checkable against nftables/libnftables.h

namespace Routerd.Platform.Nft;

/// <summary>The part of libnftables(3) routerd uses: the library behind the `nft` command, with
/// the same input language. Debian's nftables package depends on it (libnftables1).</summary>
internal static partial class LibNftables
{
    const string Library = "libnftables.so.1";

    public const uint NFT_CTX_DEFAULT = 0;
    public const uint NFT_CTX_OUTPUT_JSON = 1 << 4;
    /// <summary>Listings leave out set and map elements (the tracer's rule book needs rules only).</summary>
    public const uint NFT_CTX_OUTPUT_TERSE = 1 << 11;

    [LibraryImport(Library)] public static partial NftContextHandle nft_ctx_new(uint flags);
    [LibraryImport(Library)] public static partial void nft_ctx_free(nint ctx);
    [LibraryImport(Library)] public static partial void nft_ctx_set_dry_run(NftContextHandle ctx, [MarshalAs(UnmanagedType.U1)] bool dry);
    [LibraryImport(Library)] public static partial void nft_ctx_output_set_flags(NftContextHandle ctx, uint flags);
    [LibraryImport(Library)] public static partial int nft_ctx_buffer_output(NftContextHandle ctx);
    [LibraryImport(Library)] public static partial int nft_ctx_buffer_error(NftContextHandle ctx);
    /// <summary>What the commands printed since the last call; the buffer starts over after it.</summary>
    [LibraryImport(Library)] public static partial nint nft_ctx_get_output_buffer(NftContextHandle ctx);
    [LibraryImport(Library)] public static partial nint nft_ctx_get_error_buffer(NftContextHandle ctx);
    /// <returns>0 when every command succeeded.</returns>
    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)] public static partial int nft_run_cmd_from_buffer(NftContextHandle nft, string buf);
}

/// <summary>Owns a struct nft_ctx.</summary>
internal sealed class NftContextHandle() : SafeHandle(0, ownsHandle: true)
{
    public override bool IsInvalid => handle == 0;

    protected override bool ReleaseHandle()
    {
        LibNftables.nft_ctx_free(handle);
        return true;
    }
}
