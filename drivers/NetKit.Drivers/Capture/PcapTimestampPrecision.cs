namespace NetKit.Drivers.Capture;

/// <summary>Resolution of pcap record timestamps; it selects the file's magic number.</summary>
public enum PcapTimestampPrecision
{
    /// <summary>Classic pcap (magic 0xa1b2c3d4): the second field's fraction is in microseconds.</summary>
    Microseconds,
    /// <summary>Nanosecond pcap (magic 0xa1b23c4d), read by libpcap 1.5+, Wireshark and tshark.</summary>
    Nanoseconds,
}
