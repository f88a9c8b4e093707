using System;

namespace NetKit.Protocols.Tcp.Algorithms;

/// <summary>
/// The retransmission timer's estimator (RFC 6298), in microseconds. SRTT and RTTVAR are kept scaled by 8 and 4 (as
/// BSD does) so that the α = 1/8 and β = 1/4 updates lose no precision to integer division.
/// <para>
/// Karn's rule (RFC 6298 §3) is the caller's job: never sample a segment that was retransmitted unless the RTT comes
/// from a timestamp echo (RFC 7323 §4), and keep the backed-off RTO until a valid sample arrives (§5, note after 5.7).
/// </para>
/// <para>
/// <c>default(RttEstimator)</c> behaves like <c>new RttEstimator()</c>, so a zero-initialised TCB is usable.
/// Not thread-safe: it belongs to one TCB on one protocol thread.
/// </para>
/// </summary>
public struct RttEstimator
{
    /// <summary>RFC 6298 §2.4 says RTO SHOULD be at least 1 s; Linux (TCP_RTO_MIN) and most stacks deliberately use
    /// 200 ms, just above the common delayed-ACK timer, so that is our default.</summary>
    public const long DefaultMinRtoMicros = 200_000;

    /// <summary>RFC 6298 §2.5: a maximum MAY be placed on RTO provided it is at least 60 s.</summary>
    public const long DefaultMaxRtoMicros = 60_000_000;

    /// <summary>RFC 6298 §2.1: RTO is 1 s until the first sample.</summary>
    public const long DefaultInitialRtoMicros = 1_000_000;

    /// <summary>G, the clock granularity of RFC 6298 §2: our timers tick in milliseconds at best.</summary>
    public const long ClockGranularityMicros = 1_000;

    /// <summary>Backoff stops doubling after 2^12 (RTO is clamped to the maximum long before that anyway).</summary>
    public const int MaxBackoffShift = 12;

    /// <summary>Samples are clamped here so the scaled sums cannot overflow (a bogus echoed timestamp is untrusted input).</summary>
    private const long MaxSampleMicros = 1L << 40;

    private const int K = 4;

    private readonly long _minRto;
    private readonly long _maxRto; // 0 only in default(RttEstimator): every limit then reads as its default
    private readonly long _initialRto;
    private long _srtt8;
    private long _rttvar4;
    private long _baseRto;
    private int _backoff;
    private bool _hasSample;

    /// <summary>An estimator with the default limits (200 ms minimum, 60 s maximum, 1 s initial RTO).</summary>
    public RttEstimator() : this(DefaultMinRtoMicros) { }

    /// <summary>
    /// An estimator with the given limits. RFC 6298 §2.4 asks for a 1 s minimum RTO; the default of 200 ms follows
    /// Linux and most deployed stacks, and is configurable for deployments that want the RFC's conservative value.
    /// </summary>
    public RttEstimator(long minRtoMicros = DefaultMinRtoMicros, long maxRtoMicros = DefaultMaxRtoMicros,
        long initialRtoMicros = DefaultInitialRtoMicros)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(minRtoMicros);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxRtoMicros, Math.Max(1, minRtoMicros));
        ArgumentOutOfRangeException.ThrowIfLessThan(initialRtoMicros, minRtoMicros);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(initialRtoMicros, maxRtoMicros);
        _minRto = minRtoMicros;
        _maxRto = maxRtoMicros;
        _initialRto = initialRtoMicros;
        _srtt8 = 0;
        _rttvar4 = 0;
        _baseRto = 0;
        _backoff = 0;
        _hasSample = false;
    }

    public readonly long MinRto => _maxRto == 0 ? DefaultMinRtoMicros : _minRto;

    public readonly long MaxRto => _maxRto == 0 ? DefaultMaxRtoMicros : _maxRto;

    public readonly long InitialRto => _maxRto == 0 ? DefaultInitialRtoMicros : _initialRto;

    /// <summary>True once a sample has been taken; until then RTO is the initial value (RFC 6298 §2.1).</summary>
    public readonly bool HasSample => _hasSample;

    /// <summary>SRTT in microseconds (0 before the first sample).</summary>
    public readonly long SmoothedRtt => _srtt8 >> 3;

    /// <summary>RTTVAR in microseconds (0 before the first sample).</summary>
    public readonly long RttVariance => _rttvar4 >> 2;

    /// <summary>How many times the timer has been doubled since the last sample (RFC 6298 §5.5).</summary>
    public readonly int BackoffShift => _backoff;

    /// <summary>The RTO to arm the timer with now: the computed RTO doubled per backoff, clamped to the maximum.</summary>
    public readonly long Rto
    {
        get
        {
            long baseRto = _hasSample ? _baseRto : InitialRto;
            long max = MaxRto;
            // baseRto > max >> shift implies baseRto << shift > max, and otherwise the shift cannot overflow.
            return baseRto > (max >> _backoff) ? max : baseRto << _backoff;
        }
    }

    /// <summary>
    /// Takes one RTT measurement R (RFC 6298 §2.2–2.3) and recomputes RTO = SRTT + max(G, K·RTTVAR), clamped to the
    /// limits (§2.4–2.5). A valid sample ends any backoff (§5, Karn's algorithm). Negative samples, which only a
    /// clock or echoed-timestamp bug can produce, are ignored.
    /// </summary>
    public void AddSample(long rttMicros)
    {
        if (rttMicros < 0) return;
        long r = Math.Min(rttMicros, MaxSampleMicros);
        if (!_hasSample)
        {
            _srtt8 = r << 3;  // SRTT = R
            _rttvar4 = r << 1; // RTTVAR = R/2, times 4
            _hasSample = true;
        }
        else
        {
            long srtt = _srtt8 >> 3;
            long error = Math.Abs(srtt - r);
            _rttvar4 += error - (_rttvar4 >> 2); // RTTVAR = (1 - β)·RTTVAR + β·|SRTT - R'|, with the old SRTT
            _srtt8 += r - srtt;                  // SRTT = (1 - α)·SRTT + α·R'
        }
        long rto = (_srtt8 >> 3) + Math.Max(ClockGranularityMicros, K * (_rttvar4 >> 2));
        _baseRto = Math.Clamp(rto, MinRto, MaxRto);
        _backoff = 0;
    }

    /// <summary>The retransmission timer expired: double RTO (RFC 6298 §5.5); <see cref="Rto"/> clamps to the maximum.</summary>
    public void Backoff()
    {
        if (_backoff < MaxBackoffShift) _backoff++;
    }

    /// <summary>Forgets the backoff without a sample (e.g. when the caller restarts a connection's timer policy).</summary>
    public void ResetBackoff() => _backoff = 0;
}
