import QRCode from 'qrcode';
import type { SecretBox } from '../../../infrastructure/crypto/secret-box.js';
import type { OneTimeCodeStore } from '../../one-time-codes/one-time-code.store.js';
import type { Challenge, ChallengeRepository } from '../challenge.repository.js';
import type { FactorRepository, UserFactor } from '../factor.repository.js';
import type { EnrolledFacts, SecondFactorAttempt, SecondFactorMethod, VerifyOutcome } from '../second-factor-method.js';
import { matchingStep, newTotpSecret, totpUri } from './totp.js';

/** Five tries per step, like SMS; a setup waits at most 30 minutes for its first code. */
export const TOTP_LIMITS = { maxAttempts: 5, stepTtlMs: 30 * 60_000 };

export interface TotpMethodDependencies {
  challenges: ChallengeRepository;
  codes: OneTimeCodeStore;
  factors: FactorRepository;
  /** Seals the shared secrets (they must be read back to check a code). */
  secrets: SecretBox;
  now: () => Date;
}

/** What the setup page shows: the QR code (SVG, no script needed) and the secret as text. */
export interface TotpSetup {
  challenge: Challenge;
  qrSvg: string;
  secret: string;
  /** The otpauth:// address the QR code holds (a phone with the app can open it directly). */
  uri: string;
}

/**
 * An authenticator app (RFC 6238): a shared secret set up from a QR code and confirmed by a
 * first code; a code is accepted within one step either side, and never twice.
 */
export class TotpMethod implements SecondFactorMethod {
  readonly id = 'totp' as const;
  readonly amr = 'otp';
  readonly challengePurpose = 'totp' as const;

  constructor(private readonly deps: TotpMethodDependencies) {}

  isEnrolled({ factors }: EnrolledFacts): boolean {
    return factors.some((f) => f.kind === 'totp' && f.confirmed_at);
  }

  rememberedFor(facts: EnrolledFacts): string | null {
    return this.isEnrolled(facts) ? 'totp' : null;
  }

  async startChallenge(attempt: SecondFactorAttempt) {
    return { started: true as const, challenge: await this.insert(attempt, 'totp', 'app') };
  }

  async verify(attempt: SecondFactorAttempt, challenge: Challenge, input: string): Promise<VerifyOutcome> {
    const apps = (await this.deps.factors.ofUser(attempt.user.id)).filter((f) => f.kind === 'totp' && f.confirmed_at);
    const check = await this.deps.codes.withTry(challenge.id, async () => (await this.acceptAny(apps, input)) !== undefined);
    if (!check.ok) return check;
    return (await this.deps.codes.consume(challenge.id)) ? { ok: true } : { ok: false, reason: 'closed' };
  }

  /** Starts setting up an app in this sign-in: a new secret, waiting for its first code. */
  async beginSetup(attempt: SecondFactorAttempt, issuer: string): Promise<TotpSetup> {
    await this.deps.factors.removeUnconfirmed(attempt.user.id, 'totp');
    const secret = newTotpSecret();
    const factor = await this.deps.factors.insert({ user_id: attempt.user.id, kind: 'totp', name: 'Authenticator app', secret_sealed: this.deps.secrets.seal(secret) });
    const challenge = await this.insert(attempt, 'totp_enroll', factor.id);
    return this.setupOf(challenge, secret, issuer, attempt.user.username);
  }

  /** The setup page of an open setup step (shown again after a wrong code). */
  async resumeSetup(attempt: SecondFactorAttempt, challenge: Challenge, issuer: string): Promise<TotpSetup | undefined> {
    const factor = await this.deps.factors.findById(challenge.destination);
    if (!factor?.secret_sealed || factor.user_id !== attempt.user.id) return undefined;
    return this.setupOf(challenge, this.deps.secrets.open(factor.secret_sealed).plaintext, issuer, attempt.user.username);
  }

  /** The first code from the app confirms the setup (and counts as this sign-in's second factor). */
  async confirmSetup(attempt: SecondFactorAttempt, challenge: Challenge, input: string): Promise<VerifyOutcome> {
    const factor = await this.deps.factors.findById(challenge.destination);
    if (!factor || factor.user_id !== attempt.user.id) return { ok: false, reason: 'closed' };
    const check = await this.deps.codes.withTry(challenge.id, async () => (await this.acceptAny([factor], input)) !== undefined);
    if (!check.ok) return check;
    if (!(await this.deps.codes.consume(challenge.id))) return { ok: false, reason: 'closed' };
    await this.deps.factors.confirm(factor.id, this.deps.now());
    return { ok: true };
  }

  /** The app whose code this is, if any; its time step is spent so the code cannot be used again. */
  private async acceptAny(apps: UserFactor[], input: string): Promise<UserFactor | undefined> {
    const code = input.replace(/[\s-]/g, '');
    if (!/^\d{6}$/.test(code)) return undefined;
    const now = this.deps.now();
    for (const app of apps) {
      if (!app.secret_sealed) continue;
      const { plaintext, stale } = this.deps.secrets.open(app.secret_sealed);
      const step = matchingStep(plaintext, code, now);
      if (step === undefined) continue;
      if (!(await this.deps.factors.acceptStep(app.id, step, now))) continue;
      if (stale) await this.deps.factors.reseal(app.id, this.deps.secrets.seal(plaintext));
      return app;
    }
    return undefined;
  }

  private async setupOf(challenge: Challenge, secret: string, issuer: string, account: string): Promise<TotpSetup> {
    const uri = totpUri(secret, issuer, account);
    const qrSvg = await QRCode.toString(uri, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
    return { challenge, qrSvg, secret: secret.replace(/(.{4})/g, '$1 ').trim(), uri };
  }

  private insert(attempt: SecondFactorAttempt, purpose: 'totp' | 'totp_enroll', destination: string): Promise<Challenge> {
    return this.deps.challenges.open(attempt, purpose, destination, TOTP_LIMITS, this.deps.now(), this.deps.codes);
  }
}
