namespace Routerd.Platform.Pppoe;

/// <summary>RFC 2516 discovery stage constants: the Ethernet type, the codes and the tag types.</summary>
public static class PppoeDiscovery
{
    public const ushort EthertypeDiscovery = 0x8863;
    public const byte VersionType = 0x11;
    public const byte Padi = 0x09, Pado = 0x07, Padr = 0x19, Pads = 0x65, Padt = 0xa7;

    public const ushort TagEndOfList = 0x0000, TagServiceName = 0x0101, TagAcName = 0x0102, TagHostUniq = 0x0103,
        TagAcCookie = 0x0104, TagRelaySessionId = 0x0110, TagServiceNameError = 0x0201, TagAcSystemError = 0x0202,
        TagGenericError = 0x0203;

    public const int EthernetHeader = 14, PppoeHeader = 6;
    /// <summary>A PADI must fit in 1484 bytes of PPPoE payload (RFC 2516 5.1).</summary>
    public const int MaxPadiPayload = 1484;
}
