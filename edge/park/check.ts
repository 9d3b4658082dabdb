import type { KeyObject } from 'node:crypto'
import { ErrorCodes, type ErrorCode } from '../../shared/errors.ts'
import { ConfigBundle, type BundleAlgorithm, type SignedBundle } from '../../shared/wire/bundle.ts'
import { bundleSignatureValid } from '../../shared/wire/bundle-signature.ts'

export type BundleCheck =
  | { ok: true; bundle: ConfigBundle; same: boolean }
  | { ok: false; code: ErrorCode; message: string; hint: string }

/**
 * Whether a pushed bundle may be applied (issue 19), in this order: its signature verifies with
 * the park's key (nothing of an unsigned text is read before), it names this edge, and it is
 * newer than the bundle the edge runs. The very bundle the edge runs (a push whose answer was
 * lost, sent again) is `same`: answered, not applied twice.
 */
export function checkBundle(
  signed: SignedBundle,
  ctx: {
    edge: string
    verifier: { key: KeyObject; alg: BundleAlgorithm }
    running: { issuedAt: number; signature: string } | null
  },
): BundleCheck {
  if (!bundleSignatureValid(signed, ctx.verifier))
    return refuse(
      ErrorCodes.BUNDLE_SIGNATURE,
      `the bundle's ${signed.alg} signature does not verify with the park's ${ctx.verifier.alg} key`,
      "sign it with the park's signing key (bundles.signingKeyFile of the cloud) that matches park.publicKeyFile here",
    )
  let bundle: ConfigBundle
  try {
    bundle = ConfigBundle.parse(JSON.parse(signed.bundle))
  } catch {
    return refuse(ErrorCodes.BUNDLE_INVALID, 'the signed bundle is not a config bundle', 'push it again from the park')
  }
  if (bundle.edge !== ctx.edge)
    return refuse(
      ErrorCodes.BUNDLE_WRONG_EDGE,
      `the bundle is for edge ${bundle.edge}, this is ${ctx.edge}`,
      'push the bundle made for this edge',
    )
  const running = ctx.running
  if (running && running.signature === signed.signature) return { ok: true, bundle, same: true }
  if (running && bundle.issuedAt <= running.issuedAt)
    return refuse(
      ErrorCodes.BUNDLE_STALE,
      `the bundle was issued at ${new Date(bundle.issuedAt).toISOString()}, not after the running one (${new Date(running.issuedAt).toISOString()})`,
      'push a newly issued bundle (an old one, replayed, is never applied)',
    )
  return { ok: true, bundle, same: false }
}

const refuse = (code: ErrorCode, message: string, hint: string): BundleCheck => ({ ok: false, code, message, hint })
