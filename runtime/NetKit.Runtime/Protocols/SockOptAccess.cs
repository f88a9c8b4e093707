namespace NetKit.Runtime.Protocols;

/// <summary>Whether a <see cref="SockOptAttribute"/> handler serves setsockopt or getsockopt (BSD <c>SOPT_SET</c>/<c>SOPT_GET</c>).</summary>
public enum SockOptAccess
{
    Set = 0,
    Get = 1,
}
