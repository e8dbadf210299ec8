/** The messages that verify a market user's contact: a link by email, a six-digit code by SMS. */

export type VerificationRequest =
  | { readonly channel: 'email'; readonly userId: string; readonly link: string }
  | { readonly channel: 'sms'; readonly code: string };

/** What a verification says: whose request it is, how to agree, and how long the link or code lasts. */
export function verificationMessage(request: VerificationRequest): { subject: string; body: string } {
  return request.channel === 'email'
    ? {
        subject: 'Confirm your email for Engagement Oracle notifications',
        body:
          `The Ethereum account ${request.userId} asked to send its Engagement Oracle notifications to this address. ` +
          `To agree, open ${request.link} within 24 hours. If you did not ask for this, ignore ` +
          'this email: nothing else will be sent here.',
      }
    : {
        subject: 'Engagement Oracle',
        body: `Your Engagement Oracle verification code is ${request.code}. It expires in 15 minutes. Ignore this message if you did not ask for it.`,
      };
}
