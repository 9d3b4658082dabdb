import { userInfo } from 'node:os'
import type { Command } from 'commander'
import type { NewKeyInput, NewUserInput } from '../cloud/auth/accounts.ts'
import { Role, ROLES } from '../cloud/auth/roles.ts'
import type { CloudConfig } from '../cloud/config.ts'
import type { Store } from '../cloud/store/store.ts'
import { ErrorCodes, ParklinkError } from '../shared/errors.ts'
import { withCloudStore } from './cloud-store.ts'

/**
 * `parklink cloud user add` and `parklink cloud key add`: the bootstrap of a production cloud,
 * which has no accounts at all (no defaults outside demo mode). The password is read from the
 * environment variable PARKLINK_NEW_PASSWORD or from stdin — never from argv, where `ps` and
 * the shell history would show it. Audited as `cli:<os user>`.
 */
export const PASSWORD_ENV = 'PARKLINK_NEW_PASSWORD'

// The store and its dependencies load only when a command runs (the CLI starts fast for the edge's commands).
async function withStore<T>(
  configFile: string,
  fn: (
    store: Store,
    config: CloudConfig,
    accounts: ReturnType<typeof import('../cloud/auth/accounts.ts').createAccounts>,
  ) => Promise<T>,
  before?: () => Promise<void>,
): Promise<T> {
  const { createAccounts } = await import('../cloud/auth/accounts.ts')
  return withCloudStore(
    configFile,
    async (store, config) => {
      // The enterprises an account may name are the config's (as the service does at each start).
      await store.applyRegistry(config.registry)
      return await fn(store, config, createAccounts(store.auth, config.auth.password))
    },
    before ? () => before() : undefined,
  )
}

async function readPassword(
  env: NodeJS.ProcessEnv,
  stdin: NodeJS.ReadableStream & { isTTY?: boolean },
): Promise<string> {
  const fromEnv = env[PASSWORD_ENV]
  if (fromEnv) return fromEnv
  if (stdin.isTTY) {
    const { password, isCancel } = await import('@clack/prompts')
    const answer = await password({ message: 'Password for the new user' })
    if (isCancel(answer) || typeof answer !== 'string')
      throw new ParklinkError(ErrorCodes.BAD_REQUEST, 'no password given', {
        hint: 'type it at the prompt, or pipe it on stdin',
      })
    return answer
  }
  const chunks: Buffer[] = []
  for await (const chunk of stdin) chunks.push(Buffer.from(chunk as Buffer))
  const text = Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '')
  if (!text)
    throw new ParklinkError(ErrorCodes.BAD_REQUEST, 'no password given', {
      hint: `pipe it on stdin or set ${PASSWORD_ENV}; never on the command line`,
    })
  return text
}

const actor = () => `cli:${userInfo().username}`
const role = (text: string) => {
  const parsed = Role.safeParse(text)
  if (!parsed.success)
    throw new ParklinkError(ErrorCodes.BAD_REQUEST, `unknown role "${text}"`, { hint: `one of ${ROLES.join(', ')}` })
  return parsed.data
}

export async function addUser(
  configFile: string,
  input: Omit<NewUserInput, 'password'>,
  io: { env: NodeJS.ProcessEnv; stdin: NodeJS.ReadableStream & { isTTY?: boolean } } = {
    env: process.env,
    stdin: process.stdin,
  },
): Promise<{ id: number; username: string; role: string }> {
  let password = ''
  return withStore(
    configFile,
    async (_store, _config, accounts) => {
      const user = await accounts.createUser({ ...input, password }, actor(), Date.now())
      return { id: user.id, username: user.username, role: user.role }
    },
    async () => void (password = await readPassword(io.env, io.stdin)),
  )
}

export async function addKey(
  configFile: string,
  input: NewKeyInput,
): Promise<{ id: number; name: string; key: string }> {
  return withStore(configFile, async (_store, _config, accounts) => {
    const { key, record } = await accounts.createApiKey(input, actor(), Date.now())
    return { id: record.id, name: record.name, key }
  })
}

export function addAccountCommands(cloud: Command): void {
  const user = cloud
    .command('user')
    .description('accounts of people (the first security administrator, on a new installation)')
  user
    .command('add')
    .description(
      `create a user; the password comes from ${PASSWORD_ENV} or stdin (a prompt on a terminal), never from the command line`,
    )
    .requiredOption('-c, --config <file>', 'cloud configuration (YAML)')
    .requiredOption('--username <name>', 'login name (lower case)')
    .requiredOption('--role <role>', ROLES.join(' | '))
    .option('--enterprise <id>', 'the enterprise, for enterprise_admin and enterprise_user')
    .option('--display-name <name>', "the person's name")
    .action(
      async (o: { config: string; username: string; role: string; enterprise?: string; displayName?: string }) => {
        const created = await addUser(o.config, {
          username: o.username,
          role: role(o.role),
          ...(o.enterprise ? { enterprise: o.enterprise } : {}),
          ...(o.displayName ? { displayName: o.displayName } : {}),
        })
        console.log(`created user ${created.username} (${created.role}), id ${created.id}`)
      },
    )
  const key = cloud.command('key').description('API keys for machine clients')
  key
    .command('add')
    .description('create an API key and print it once (only its hash is kept)')
    .requiredOption('-c, --config <file>', 'cloud configuration (YAML)')
    .requiredOption('--name <name>', 'what the key is for (lower case), e.g. province-exchange')
    .requiredOption('--role <role>', ROLES.join(' | '))
    .option('--enterprise <id>', 'the enterprise, for enterprise roles')
    .action(async (o: { config: string; name: string; role: string; enterprise?: string }) => {
      const created = await addKey(o.config, {
        name: o.name,
        role: role(o.role),
        ...(o.enterprise ? { enterprise: o.enterprise } : {}),
      })
      console.log(created.key)
      console.error(
        `API key "${created.name}" (id ${created.id}) created: the line above is shown only now; send it as "Authorization: Bearer <key>"`,
      )
    })
}
