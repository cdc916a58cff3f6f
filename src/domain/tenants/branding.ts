import { z } from 'zod';

/** WCAG 2.x AA for normal text: the primary colour carries white button text and is the link colour on white. */
export const MIN_CONTRAST = 4.5;

/** The relative luminance of an sRGB `#rrggbb` colour (WCAG 2.x). */
function luminance(hex: string): number {
  const channel = (offset: number) => {
    const value = parseInt(hex.slice(offset, offset + 2), 16) / 255;
    return value <= 0.03928 ? value / 12.92 : ((value + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5);
}

/** The WCAG contrast ratio of two `#rrggbb` colours, from 1 to 21. */
export function contrastRatio(a: string, b: string): number {
  const [lighter, darker] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (lighter + 0.05) / (darker + 0.05);
}

const primaryColor = z
  .string()
  .regex(/^#[0-9a-fA-F]{6}$/, 'a colour such as "#1f5fd1"')
  .transform((value) => value.toLowerCase())
  .superRefine((value, context) => {
    const ratio = contrastRatio(value, '#ffffff');
    if (ratio < MIN_CONTRAST) {
      context.addIssue({ code: 'custom', message: `contrast with white is ${ratio.toFixed(1)}:1; at least ${MIN_CONTRAST}:1 is needed to read white button text and links (WCAG AA): choose a darker colour` });
    }
  });

/** What a tenant's administrators set; the logo is uploaded apart (`PUT …/logo`). */
export const brandingFields = {
  /** The organisation's name as people know it (else the tenant's name). */
  display_name: z.string().trim().min(1).max(80).nullable(),
  primary_color: primaryColor.nullable(),
  /** How to reach the organisation's support: an email address or a phone number, as text. */
  support_contact: z.string().trim().min(1).max(120).nullable(),
  support_url: z.string().url().max(500).refine((url) => url.startsWith('https://'), 'must be an https URL').nullable(),
};

/** The branding section of the tenant settings. `logo_version`: set by the upload, never by a PATCH. */
export const brandingSchema = z
  .object({
    display_name: brandingFields.display_name.default(null),
    primary_color: brandingFields.primary_color.default(null),
    support_contact: brandingFields.support_contact.default(null),
    support_url: brandingFields.support_url.default(null),
    logo_version: z.number().int().nullable().default(null),
  })
  .strict()
  .default({ display_name: null, primary_color: null, support_contact: null, support_url: null, logo_version: null });

export const brandingPatchSchema = z.object(brandingFields).partial().strict();

export type Branding = z.infer<typeof brandingSchema>;

/** What pages and emails show of a tenant: its name, and what it set. */
export interface Brand {
  tenantId: string;
  name: string;
  primaryColor: string | null;
  supportContact: string | null;
  supportUrl: string | null;
  /** Path of the logo (with its version, so a new logo is never a cached old one), when there is one. */
  logoPath: string | null;
  /** Path of the stylesheet with the tenant's colour, when it set one. */
  themePath: string | null;
}

export function brandOf(tenant: { id: string; name: string; settings: { branding: Branding } }): Brand {
  const { branding } = tenant.settings;
  return {
    tenantId: tenant.id,
    name: branding.display_name ?? tenant.name,
    primaryColor: branding.primary_color,
    supportContact: branding.support_contact,
    supportUrl: branding.support_url,
    logoPath: branding.logo_version ? `/branding/${tenant.id}/logo?v=${branding.logo_version}` : null,
    themePath: branding.primary_color ? `/branding/${tenant.id}/theme.css?c=${branding.primary_color.slice(1)}` : null,
  };
}
