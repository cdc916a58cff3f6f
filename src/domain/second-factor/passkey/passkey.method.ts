import {
  generateAuthenticationOptions,
  generateRegistrationOptions,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
  type AuthenticationResponseJSON,
  type AuthenticatorTransportFuture,
  type PublicKeyCredentialCreationOptionsJSON,
  type PublicKeyCredentialRequestOptionsJSON,
  type RegistrationResponseJSON,
} from '@simplewebauthn/server';
import type { OneTimeCodeStore } from '../../one-time-codes/one-time-code.store.js';
import type { Challenge, ChallengeRepository } from '../challenge.repository.js';
import type { FactorRepository, UserFactor } from '../factor.repository.js';
import type { EnrolledFacts, SecondFactorAttempt, SecondFactorMethod, VerifyOutcome } from '../second-factor-method.js';

export const PASSKEY_LIMITS = { maxAttempts: 5, stepTtlMs: 10 * 60_000 };

export interface PasskeyMethodDependencies {
  challenges: ChallengeRepository;
  codes: OneTimeCodeStore;
  factors: FactorRepository;
  /** The relying party: Gatehouse's own origin and host (the issuer's). */
  relyingParty: { id: string; origin: string; name: string };
  now: () => Date;
}

/**
 * Passkeys (WebAuthn Level 2, @simplewebauthn/server): registered during a sign-in, then used
 * as a second factor, or as a password-free first factor where the tenant allows it. The origin
 * and RP ID are checked on every ceremony; the browser is sent the options with a fresh
 * challenge, which is single-use.
 */
export class PasskeyMethod implements SecondFactorMethod {
  readonly id = 'passkey' as const;
  readonly amr = 'hwk';
  readonly challengePurpose = 'passkey' as const;

  constructor(private readonly deps: PasskeyMethodDependencies) {}

  isEnrolled({ factors }: EnrolledFacts): boolean {
    return factors.some((f) => f.kind === 'passkey' && f.confirmed_at);
  }

  rememberedFor(facts: EnrolledFacts): string | null {
    return this.isEnrolled(facts) ? 'passkey' : null;
  }

  async startChallenge(attempt: SecondFactorAttempt) {
    const passkeys = (await this.deps.factors.ofUser(attempt.user.id)).filter((f) => f.kind === 'passkey' && f.confirmed_at);
    const options = await generateAuthenticationOptions({
      rpID: this.deps.relyingParty.id,
      userVerification: 'preferred',
      allowCredentials: passkeys.map((p) => ({ id: p.credential_id!, transports: (p.transports ?? undefined) as AuthenticatorTransportFuture[] | undefined })),
    });
    return { started: true as const, challenge: await this.insert(attempt, 'passkey', options) };
  }

  /** The options the page hands to the browser for a challenge of this method. */
  optionsOf(challenge: Challenge): PublicKeyCredentialRequestOptionsJSON | PublicKeyCredentialCreationOptionsJSON {
    return JSON.parse(challenge.destination) as PublicKeyCredentialRequestOptionsJSON;
  }

  async verify(attempt: SecondFactorAttempt, challenge: Challenge, input: string): Promise<VerifyOutcome> {
    const response = parse<AuthenticationResponseJSON>(input);
    const passkeys = (await this.deps.factors.ofUser(attempt.user.id)).filter((f) => f.kind === 'passkey' && f.confirmed_at);
    const passkey = response && passkeys.find((p) => p.credential_id === response.id);
    let amr = this.amr;
    const check = await this.deps.codes.withTry(challenge.id, async () => {
      if (!response || !passkey) return false;
      const result = await this.assert(response, passkey, (this.optionsOf(challenge) as PublicKeyCredentialRequestOptionsJSON).challenge);
      if (result === false) return false;
      amr = result;
      return true;
    });
    if (!check.ok) return check;
    return (await this.deps.codes.consume(challenge.id)) ? { ok: true, amr } : { ok: false, reason: 'closed' };
  }

  /** Starts registering a passkey for the user in this sign-in: the options for the browser. */
  async beginRegistration(attempt: SecondFactorAttempt): Promise<Challenge> {
    const existing = (await this.deps.factors.ofUser(attempt.user.id)).filter((f) => f.kind === 'passkey');
    const options = await generateRegistrationOptions({
      rpName: this.deps.relyingParty.name,
      rpID: this.deps.relyingParty.id,
      userName: attempt.user.username,
      userDisplayName: attempt.user.name ?? attempt.user.username,
      userID: new TextEncoder().encode(attempt.user.id),
      attestationType: 'none',
      excludeCredentials: existing.map((p) => ({ id: p.credential_id! })),
      authenticatorSelection: { residentKey: 'required', userVerification: 'preferred' },
    });
    return this.insert(attempt, 'passkey_register', options);
  }

  /** The browser's answer to a registration: verified against this sign-in's challenge, then saved. */
  async finishRegistration(attempt: SecondFactorAttempt, challenge: Challenge, input: string): Promise<VerifyOutcome> {
    const response = parse<RegistrationResponseJSON>(input);
    const options = this.optionsOf(challenge) as PublicKeyCredentialCreationOptionsJSON;
    let registered: Awaited<ReturnType<typeof verifyRegistrationResponse>>['registrationInfo'];
    const check = await this.deps.codes.withTry(challenge.id, async () => {
      if (!response) return false;
      try {
        const result = await verifyRegistrationResponse({ response, expectedChallenge: options.challenge, expectedOrigin: this.deps.relyingParty.origin, expectedRPID: this.deps.relyingParty.id, requireUserVerification: false });
        registered = result.verified ? result.registrationInfo : undefined;
        return Boolean(registered);
      } catch {
        return false;
      }
    });
    if (!check.ok) return check;
    if (!registered || !(await this.deps.codes.consume(challenge.id))) return { ok: false, reason: 'closed' };
    const { credential, credentialBackedUp } = registered;
    await this.deps.factors.insert({
      user_id: attempt.user.id,
      kind: 'passkey',
      name: 'Passkey',
      credential_id: credential.id,
      public_key: Buffer.from(credential.publicKey).toString('base64url'),
      sign_count: String(credential.counter),
      // jsonb: an array must go as JSON text, not as a PostgreSQL array.
      transports: (credential.transports ? JSON.stringify(credential.transports) : null) as never,
      backed_up: credentialBackedUp,
      confirmed_at: this.deps.now(),
    });
    return { ok: true, amr: credentialBackedUp ? 'swk' : 'hwk' };
  }

  /** Options for a password-free sign-in (no user known yet: the browser offers its passkeys). */
  async firstFactorOptions(): Promise<PublicKeyCredentialRequestOptionsJSON> {
    return generateAuthenticationOptions({ rpID: this.deps.relyingParty.id, userVerification: 'required' });
  }

  /**
   * A password-free sign-in's answer: the passkey it names, if it verifies against `challenge`
   * with the person verified (a PIN or biometric). Returns the user id and what it proves.
   */
  async verifyFirstFactor(input: string, expectedChallenge: (challenge: string) => Promise<boolean>): Promise<{ userId: string; amr: string } | undefined> {
    const response = parse<AuthenticationResponseJSON>(input);
    if (!response) return undefined;
    const passkey = await this.deps.factors.findByCredentialId(response.id);
    if (!passkey?.confirmed_at) return undefined;
    const amr = await this.assert(response, passkey, expectedChallenge, true);
    return amr ? { userId: passkey.user_id, amr } : undefined;
  }

  private async assert(response: AuthenticationResponseJSON, passkey: UserFactor, expectedChallenge: string | ((challenge: string) => Promise<boolean>), requireUserVerification = false): Promise<string | false> {
    try {
      const result = await verifyAuthenticationResponse({
        response,
        expectedChallenge,
        expectedOrigin: this.deps.relyingParty.origin,
        expectedRPID: this.deps.relyingParty.id,
        requireUserVerification,
        credential: { id: passkey.credential_id!, publicKey: Buffer.from(passkey.public_key!, 'base64url'), counter: Number(passkey.sign_count ?? 0), transports: (passkey.transports ?? undefined) as AuthenticatorTransportFuture[] | undefined },
      });
      if (!result.verified) return false;
      await this.deps.factors.recordPasskeyUse(passkey.id, result.authenticationInfo.newCounter, this.deps.now());
      return result.authenticationInfo.credentialBackedUp ? 'swk' : 'hwk';
    } catch {
      return false;
    }
  }

  private insert(attempt: SecondFactorAttempt, purpose: 'passkey' | 'passkey_register', options: object): Promise<Challenge> {
    return this.deps.challenges.open(attempt, purpose, JSON.stringify(options), PASSKEY_LIMITS, this.deps.now(), this.deps.codes);
  }
}

function parse<T>(input: string): T | undefined {
  try {
    const value = JSON.parse(input) as unknown;
    return value && typeof value === 'object' && typeof (value as { id?: unknown }).id === 'string' ? (value as T) : undefined;
  } catch {
    return undefined;
  }
}

