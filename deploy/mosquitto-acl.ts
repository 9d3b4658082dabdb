import { CommanderError, type Command } from 'commander'
import { TopicId } from '../shared/wire/ids.ts'
import { DEFAULT_CLOUD_USER, mosquittoAcl } from '../shared/wire/acl.ts'

/**
 * `parklink cloud mosquitto-acl [--cloud-user NAME …]`: prints the broker ACL (shared/wire/acl.ts)
 * for the park's cloud instances. Edges need no entry of their own (a pattern binds each to its
 * `{site}/{edge}` user name), so it is regenerated only when a cloud instance is added.
 */
export function addMosquittoAclCommand(cloud: Command): void {
  cloud
    .command('mosquitto-acl')
    .description('print the Mosquitto ACL (acl_file) of the topic rules, with a user block per cloud instance')
    .option('--cloud-user <name...>', `the broker user name of each cloud instance (default ${DEFAULT_CLOUD_USER})`)
    .action((opts: { cloudUser?: string[] }) => {
      const users = opts.cloudUser ?? [DEFAULT_CLOUD_USER]
      for (const user of users) {
        if (!TopicId.safeParse(user).success)
          throw new CommanderError(
            2,
            'parklink.usage',
            `--cloud-user "${user}": a cloud user name is 1–64 letters, digits, "_", "-" or "." (no "/": names with "/" are edges' {site}/{edge})`,
          )
      }
      process.stdout.write(mosquittoAcl(users))
    })
}
