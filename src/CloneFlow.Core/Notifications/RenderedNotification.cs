namespace CloneFlow.Core.Notifications;

/// <summary>A notification in words, ready for a channel to lay out: plain text, escaped by each channel for its own format.</summary>
/// <param name="Subject">The e-mail subject.</param>
/// <param name="Title">The message heading.</param>
/// <param name="Headline">Source and target, shown large.</param>
/// <param name="Text">The body sentence(s).</param>
/// <param name="Facts">Facts in order.</param>
/// <param name="Buttons">Buttons in order; the approval button first.</param>
public sealed record RenderedNotification(string Subject, string Title, string Headline, string Text, IReadOnlyList<NotificationFact> Facts, IReadOnlyList<NotificationLink> Buttons);
