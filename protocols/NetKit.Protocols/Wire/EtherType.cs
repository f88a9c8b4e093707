namespace NetKit.Protocols.Wire;

/// <summary>
/// The Ethernet II type field (IEEE 802.3 clause 3.2.6; values from the IEEE EtherType registry). Values below
/// 0x0600 are an 802.3 length instead, which NetKit does not parse.
/// </summary>
public enum EtherType : ushort
{
    IPv4 = 0x0800,
    Arp = 0x0806,
    /// <summary>IEEE 802.1Q customer VLAN tag: a 4-byte tag (TCI, then the inner EtherType) begins the payload.</summary>
    Vlan = 0x8100,
    IPv6 = 0x86DD,
    /// <summary>IEEE 802.1ad service VLAN tag (Q-in-Q), laid out like <see cref="Vlan"/>.</summary>
    ServiceVlan = 0x88A8,
}
