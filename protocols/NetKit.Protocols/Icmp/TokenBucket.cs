using System;

namespace NetKit.Protocols.Icmp;

/// <summary>A token bucket for rate limiting (RFC 1812 §4.3.2.8 asks for ICMP error limits), owner-thread only.</summary>
internal sealed class TokenBucket
{
    private readonly double _perNanosecond;
    private readonly double _burst;
    private double _tokens;
    private long _last = long.MinValue;

    public TokenBucket(int perSecond, int burst)
    {
        _perNanosecond = perSecond / 1e9;
        _burst = burst;
        _tokens = burst;
    }

    /// <summary>Takes one token if there is one at <paramref name="now"/> (nanoseconds).</summary>
    public bool TryTake(long now)
    {
        if (_last != long.MinValue && now > _last) _tokens = Math.Min(_burst, _tokens + (now - _last) * _perNanosecond);
        _last = now;
        if (_tokens < 1) return false;
        _tokens -= 1;
        return true;
    }
}
