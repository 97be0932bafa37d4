namespace Routerd.Core.Devices;

/// <summary>A device's internet traffic since routerd started: upload is what the device sent,
/// download what it received; the rates are over the last sampling interval.</summary>
public sealed record DeviceTraffic(
    long UploadBytes,
    long UploadPackets,
    long DownloadBytes,
    long DownloadPackets,
    long UploadBitsPerSecond,
    long DownloadBitsPerSecond);
