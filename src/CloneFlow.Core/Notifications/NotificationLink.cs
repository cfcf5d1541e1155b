namespace CloneFlow.Core.Notifications;

/// <summary>A button: a title and an absolute http(s) link to one of CloneFlow's pages.</summary>
public sealed record NotificationLink
{
    /// <summary>Creates the link; anything but an absolute http or https URL is refused (no <c>javascript:</c> in a mail).</summary>
    public NotificationLink(string title, Uri url)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(title);
        ArgumentNullException.ThrowIfNull(url);
        if (!url.IsAbsoluteUri || (url.Scheme != Uri.UriSchemeHttps && url.Scheme != Uri.UriSchemeHttp))
        {
            throw new ArgumentException($"The link '{title}' must be an absolute http or https URL.", nameof(url));
        }

        Title = title;
        Url = url;
    }

    /// <summary>The button text.</summary>
    public string Title { get; }

    /// <summary>Where the button goes.</summary>
    public Uri Url { get; }
}
