using System.Text.Json;
using System.Text.Json.Serialization;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;

namespace CloneFlow.Core.Approvals;

/// <summary>
/// The durable ledger: consuming a token creates the blob <c>approvals/consumed/{tokenId}</c> with
/// <c>If-None-Match: *</c>, which the storage service lets exactly one writer do. The blob holds
/// the <see cref="ApprovalTokenUse"/> as JSON (who decided what and when; never the token).
/// </summary>
public sealed class BlobApprovalTokenLedger : IApprovalTokenLedger
{
    /// <summary>The folder of consumed tokens in the container.</summary>
    public const string Prefix = "approvals/consumed/";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    private readonly BlobContainerClient _container;

    /// <summary>Creates the ledger in <paramref name="container"/>, which is created on first use if missing.</summary>
    public BlobApprovalTokenLedger(BlobContainerClient container)
    {
        ArgumentNullException.ThrowIfNull(container);
        _container = container;
    }

    /// <summary>The blob name of a token's use.</summary>
    public static string BlobName(string tokenId) => Prefix + CheckedTokenId(tokenId);

    /// <inheritdoc />
    public async Task<TokenConsumeResult> TryConsumeAsync(ApprovalTokenUse use, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(use);
        var blob = _container.GetBlobClient(BlobName(use.TokenId));
        var content = BinaryData.FromObjectAsJson(use, Json);
        var options = new BlobUploadOptions
        {
            Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All },
            HttpHeaders = new BlobHttpHeaders { ContentType = "application/json" },
        };
        try
        {
            try
            {
                await blob.UploadAsync(content, options, cancellationToken);
            }
            catch (RequestFailedException ex) when (ex.ErrorCode == BlobErrorCode.ContainerNotFound)
            {
                await _container.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
                await blob.UploadAsync(content, options, cancellationToken);
            }

            return new TokenConsumeResult(TokenConsumeStatus.Consumed);
        }
        catch (RequestFailedException ex) when (ex.Status is 409 or 412)
        {
            // The blob exists (409 BlobAlreadyExists; some services answer 412 to If-None-Match: *).
            return new TokenConsumeResult(TokenConsumeStatus.AlreadyUsed, await FindAsync(use.TokenId, cancellationToken));
        }
    }

    /// <inheritdoc />
    public async Task<ApprovalTokenUse?> FindAsync(string tokenId, CancellationToken cancellationToken)
    {
        var blob = _container.GetBlobClient(BlobName(tokenId));
        try
        {
            var content = await blob.DownloadContentAsync(cancellationToken);
            return content.Value.Content.ToObjectFromJson<ApprovalTokenUse>(Json);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return null;
        }
    }

    /// <summary>Token ids are base64url; anything else (a '/' or '..') could name another blob.</summary>
    private static string CheckedTokenId(string tokenId)
    {
        ArgumentException.ThrowIfNullOrEmpty(tokenId);
        if (tokenId.Length > 64 || !tokenId.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
        {
            throw new ArgumentException("An approval token id must be 1 to 64 base64url characters.", nameof(tokenId));
        }

        return tokenId;
    }
}
