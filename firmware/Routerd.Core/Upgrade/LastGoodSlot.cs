namespace Routerd.Core.Upgrade;

/// <summary>Where the boot loader finds the last slot that passed its health check when its own
/// variables are gone (Platform/UBoot/LastGoodFile on the Raspberry Pi: a file on the FAT boot
/// partition beside uboot.env). Whole text in, whole text out; null: there is none, or it cannot
/// be read.</summary>
public interface ILastGoodRecord
{
    string? Read();
    /// <summary>Replaces the record whole (never half-written: a torn one would name no slot).</summary>
    void Write(string text);
}

/// <summary>What the last-good record says for a slot. U-Boot reads it with `env import -t` when
/// uboot.env is missing or its CRC is bad (image/rpi4/boot.cmd): then the slot that last proved
/// healthy boots first instead of U-Boot's built-in "A B", which after an upgrade to B would start
/// the old slot.</summary>
public static class LastGoodSlot
{
    /// <summary>The record for a healthy <paramref name="slot"/>: a comment and the boot order with it
    /// first, `name=value` lines ending in LF (env import -t takes the rest of the line as the value,
    /// quotes and CR included). Null for a slot name that is neither A nor B: nothing but a known
    /// order ever reaches the boot partition.</summary>
    public static string? Text(string slot) => slot switch
    {
        "A" => Render("A B"),
        "B" => Render("B A"),
        _ => null,
    };

    static string Render(string order) =>
        "# routerd: the last root slot that passed its health check, first. boot.scr reads this only when uboot.env is missing or damaged.\n"
        + $"BOOT_ORDER={order}\n";

    /// <summary>The text to write after <paramref name="slot"/> was marked good, or null when the
    /// record already says so (the SD card is not written at every boot) or the slot is unknown.</summary>
    public static string? ToWrite(string? current, string slot) =>
        Text(slot) is { } text && text != current ? text : null;
}
