using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace HelpDesk.Application.Auth;

/// <summary>
/// PBKDF2 password hashes in ASP.NET Core Identity's version-3 format (<c>0x01 | prf | iterations | salt length | salt |
/// subkey</c>, big-endian, base64), so hashes stored before this class existed keep verifying and ours verify with
/// Identity's <c>PasswordHasher</c>. Kept here rather than using that class because it would tie the application layer
/// to the ASP.NET Core shared framework.
/// </summary>
public static class PasswordHashing
{
    private const byte FormatMarker = 0x01;
    private const int SaltBytes = 16;
    private const int SubkeyBytes = 32;
    private const int HeaderBytes = 13;

    /// <summary>Identity's current defaults: HMAC-SHA512, 100 000 iterations.</summary>
    private const uint CurrentPrf = 2;
    private const int CurrentIterations = 100_000;

    public enum Result { Failed, Success, SuccessRehashNeeded }

    public static string Hash(string password)
    {
        var salt = RandomNumberGenerator.GetBytes(SaltBytes);
        var subkey = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), salt, CurrentIterations, Algorithm(CurrentPrf)!.Value, SubkeyBytes);
        var output = new byte[HeaderBytes + SaltBytes + SubkeyBytes];
        output[0] = FormatMarker;
        BinaryPrimitives.WriteUInt32BigEndian(output.AsSpan(1), CurrentPrf);
        BinaryPrimitives.WriteUInt32BigEndian(output.AsSpan(5), CurrentIterations);
        BinaryPrimitives.WriteUInt32BigEndian(output.AsSpan(9), SaltBytes);
        salt.CopyTo(output, HeaderBytes);
        subkey.CopyTo(output, HeaderBytes + SaltBytes);
        return Convert.ToBase64String(output);
    }

    /// <summary>Checks a password against a stored hash; weaker parameters than today's verify but ask for a rehash.</summary>
    public static Result Verify(string storedHash, string password)
    {
        byte[] bytes;
        try { bytes = Convert.FromBase64String(storedHash); }
        catch (FormatException) { return Result.Failed; }
        if (bytes.Length < HeaderBytes || bytes[0] != FormatMarker) return Result.Failed;
        var prf = BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(1));
        var iterations = BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(5));
        var saltLength = BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(9));
        if (Algorithm(prf) is not { } algorithm || iterations is 0 or > int.MaxValue
            || saltLength < 16 || saltLength > bytes.Length - HeaderBytes - 16) return Result.Failed;
        var salt = bytes[HeaderBytes..(HeaderBytes + (int)saltLength)];
        var expected = bytes[(HeaderBytes + (int)saltLength)..];
        var actual = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), salt, (int)iterations, algorithm, expected.Length);
        if (!CryptographicOperations.FixedTimeEquals(actual, expected)) return Result.Failed;
        return prf == CurrentPrf && iterations >= CurrentIterations ? Result.Success : Result.SuccessRehashNeeded;
    }

    private static HashAlgorithmName? Algorithm(uint prf) => prf switch
    {
        0 => HashAlgorithmName.SHA1,
        1 => HashAlgorithmName.SHA256,
        2 => HashAlgorithmName.SHA512,
        _ => null,
    };
}
