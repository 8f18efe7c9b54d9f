using System.Net;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace TaskQueue.Testing;

/// <summary>
/// A throwaway certificate authority and one server certificate it signed for 127.0.0.1 and
/// localhost, written as PEM files that redis-server reads (<c>--tls-cert-file</c>,
/// <c>--tls-key-file</c>, <c>--tls-ca-cert-file</c>). Nothing is installed in any trust store: a
/// client trusts the server only through <see cref="ValidateServerCertificate"/>.
/// </summary>
public sealed class TestCertificateAuthority : IDisposable
{
    private static readonly TimeSpan Lifetime = TimeSpan.FromDays(1);
    private readonly string directory;

    private TestCertificateAuthority(string directory, X509Certificate2 certificate)
    {
        this.directory = directory;
        Certificate = certificate;
    }

    /// <summary>The authority's own (self-signed) certificate, without its private key.</summary>
    public X509Certificate2 Certificate { get; }

    /// <summary>The authority's certificate as PEM.</summary>
    public string CertificateFile => Path.Combine(directory, "ca.crt");

    /// <summary>The server certificate as PEM.</summary>
    public string ServerCertificateFile => Path.Combine(directory, "server.crt");

    /// <summary>The server certificate's private key as PEM (PKCS#8).</summary>
    public string ServerKeyFile => Path.Combine(directory, "server.key");

    /// <summary>Makes an authority named <paramref name="name"/> and its server certificate, in a temporary directory of their own.</summary>
    public static TestCertificateAuthority Create(string name = "TaskQueue test CA")
    {
        var notBefore = DateTimeOffset.UtcNow.AddMinutes(-5);
        var notAfter = notBefore + Lifetime;

        using var authorityKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var authorityRequest = new CertificateRequest("CN=" + name, authorityKey, HashAlgorithmName.SHA256);
        authorityRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: true, hasPathLengthConstraint: true, pathLengthConstraint: 0, critical: true));
        authorityRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, critical: true));
        authorityRequest.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(authorityRequest.PublicKey, critical: false));
        using var authority = authorityRequest.CreateSelfSigned(notBefore, notAfter);

        using var serverKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var serverRequest = new CertificateRequest("CN=127.0.0.1", serverKey, HashAlgorithmName.SHA256);
        serverRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: false, hasPathLengthConstraint: false, pathLengthConstraint: 0, critical: true));
        serverRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, critical: true));
        serverRequest.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], critical: false));
        serverRequest.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(authority, includeKeyIdentifier: true, includeIssuerAndSerial: false));
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        names.AddDnsName("localhost");
        serverRequest.CertificateExtensions.Add(names.Build());
        using var server = serverRequest.Create(authority, notBefore, notAfter, RandomNumberGenerator.GetBytes(16));

        var folder = Directory.CreateTempSubdirectory("taskqueue-tls-").FullName;
        var created = new TestCertificateAuthority(folder, X509CertificateLoader.LoadCertificate(authority.RawData));
        File.WriteAllText(created.CertificateFile, authority.ExportCertificatePem());
        File.WriteAllText(created.ServerCertificateFile, server.ExportCertificatePem());
        File.WriteAllText(created.ServerKeyFile, serverKey.ExportPkcs8PrivateKeyPem());
        return created;
    }

    /// <summary>
    /// A server certificate check (a <see cref="RemoteCertificateValidationCallback"/>) that accepts a
    /// certificate only when it names the host asked for and chains to this authority, and to no
    /// other: the machine's trust store plays no part.
    /// </summary>
    public bool ValidateServerCertificate(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        // A missing certificate or a name mismatch is fatal whoever signed it; chain errors are
        // expected (the machine does not know this authority) and are decided below.
        if (certificate is null || (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) != SslPolicyErrors.None) return false;
        using var custom = new X509Chain();
        custom.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        custom.ChainPolicy.CustomTrustStore.Add(Certificate);
        custom.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        custom.ChainPolicy.DisableCertificateDownloads = true;
        var leaf = certificate as X509Certificate2 ?? X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        try
        {
            return custom.Build(leaf);
        }
        finally
        {
            if (!ReferenceEquals(leaf, certificate)) leaf.Dispose();
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Certificate.Dispose();
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
