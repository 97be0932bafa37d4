using System.Buffers.Binary;
using System.Net;
using System.Text;

namespace Routerd.Core.Diagnostics;

/// <summary>The record types a lookup asks for (RFC 1035 and RFC 3596 numbers).</summary>
public enum DnsType : ushort { A = 1, Cname = 5, Aaaa = 28 }

/// <summary>A decoded answer: the response code and the answer section's A, AAAA and CNAME records.</summary>
public sealed record DnsAnswer(int ResponseCode, IReadOnlyList<LookupRecord> Records);

/// <summary>The DNS wire format of one question and its answer (RFC 1035 section 4): pure, so the
/// lookup's adapter only sends and receives bytes. Why not the system resolver: it would ask
/// whatever /etc/resolv.conf names, not the router's own DNS the owner wants to test.</summary>
public static class DnsMessage
{
    public static byte[] Query(ushort id, string name, DnsType type)
    {
        var bytes = new List<byte>(18 + name.Length);
        Span<byte> header = stackalloc byte[12];
        BinaryPrimitives.WriteUInt16BigEndian(header, id);
        header[2] = 0x01; // RD: the server resolves recursively
        BinaryPrimitives.WriteUInt16BigEndian(header[4..], 1); // QDCOUNT
        bytes.AddRange(header.ToArray());
        foreach (var label in name.TrimEnd('.').Split('.'))
        {
            var b = Encoding.ASCII.GetBytes(label);
            bytes.Add((byte)b.Length);
            bytes.AddRange(b);
        }
        bytes.Add(0);
        bytes.Add((byte)((ushort)type >> 8)); bytes.Add((byte)type);
        bytes.Add(0); bytes.Add(1); // class IN
        return bytes.ToArray();
    }

    /// <summary>The answer to the query with <paramref name="id"/>; null when the bytes are not
    /// that answer (another id, not a response, cut short).</summary>
    public static DnsAnswer? Parse(ReadOnlySpan<byte> m, ushort id)
    {
        try
        {
            if (m.Length < 12 || BinaryPrimitives.ReadUInt16BigEndian(m) != id || (m[2] & 0x80) == 0) return null;
            int rcode = m[3] & 0x0F;
            int qd = BinaryPrimitives.ReadUInt16BigEndian(m[4..]), an = BinaryPrimitives.ReadUInt16BigEndian(m[6..]);
            int at = 12;
            for (int i = 0; i < qd; i++) { ReadName(m, ref at); at += 4; }
            var records = new List<LookupRecord>();
            for (int i = 0; i < an; i++)
            {
                string owner = ReadName(m, ref at);
                var type = (DnsType)BinaryPrimitives.ReadUInt16BigEndian(m[at..]);
                int ttl = (int)Math.Min(int.MaxValue, BinaryPrimitives.ReadUInt32BigEndian(m[(at + 4)..]));
                int length = BinaryPrimitives.ReadUInt16BigEndian(m[(at + 8)..]);
                at += 10;
                var data = m.Slice(at, length);
                switch (type)
                {
                    case DnsType.A when length == 4: records.Add(new(owner, "A", ttl, new IPAddress(data).ToString())); break;
                    case DnsType.Aaaa when length == 16: records.Add(new(owner, "AAAA", ttl, new IPAddress(data).ToString())); break;
                    case DnsType.Cname: int p = at; records.Add(new(owner, "CNAME", ttl, ReadName(m, ref p))); break;
                }
                at += length;
            }
            return new DnsAnswer(rcode, records);
        }
        catch (Exception e) when (e is ArgumentOutOfRangeException or IndexOutOfRangeException or FormatException)
        {
            return null;
        }
    }

    /// <summary>RFC 1035's response codes, as an owner reads them.</summary>
    public static string Meaning(int rcode) => rcode switch
    {
        0 => "no error",
        1 => "the server could not read the question",
        2 => "the server failed (SERVFAIL): it could not get an answer from upstream",
        3 => "no such name (NXDOMAIN)",
        4 => "the server does not do this kind of query",
        5 => "the server refused to answer",
        _ => $"response code {rcode}",
    };

    /// <summary>A name, following compression pointers (at most 16 jumps: a loop is an error).</summary>
    static string ReadName(ReadOnlySpan<byte> m, ref int at)
    {
        var name = new StringBuilder();
        int p = at, jumps = 0;
        bool jumped = false;
        while (true)
        {
            byte len = m[p];
            if (len == 0) { p++; break; }
            if ((len & 0xC0) == 0xC0)
            {
                if (++jumps > 16) throw new FormatException("a name's pointers loop");
                int target = ((len & 0x3F) << 8) | m[p + 1];
                if (!jumped) at = p + 2;
                jumped = true;
                p = target;
                continue;
            }
            if (name.Length > 0) name.Append('.');
            name.Append(Encoding.ASCII.GetString(m.Slice(p + 1, len)));
            p += 1 + len;
        }
        if (!jumped) at = p;
        return name.ToString();
    }
}
