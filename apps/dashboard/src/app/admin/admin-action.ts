import { graphql } from '@/lib/graphql';

/**
 * Runs an admin mutation with the key saved in this tab, then says what was done (or shows the
 * error) and refreshes what it changed. Given to each admin feature by the page (admin-panel.tsx).
 */
export type AdminAction = (label: string, run: () => Promise<unknown>, changed: Array<'jobs' | 'models'>) => Promise<void>;

export const ADMIN_SNAPSHOTS = graphql(`
  query AdminSnapshots {
    snapshots(first: 200) {
      nodes {
        id
        fileName
        takenAt
        rowsAccepted
        feed {
          name
          kind
        }
      }
    }
  }
`);
export const ADMIN_MODELS = graphql(`
  query AdminModels {
    models(first: 50) {
      nodes {
        id
        status
        labels
        promotedAt
        metrics {
          macro {
            f1
          }
        }
      }
    }
  }
`);
export const ADMIN_JOBS = graphql(`
  query AdminJobs {
    jobs(first: 20) {
      nodes {
        id
        kind
        state
        error
        backend
        createdAt
        startedAt
        finishedAt
        durationSeconds
        requestedBy
        modelId
        evaluationId
        classification {
          classified
          dga
          invalid
        }
        progress {
          stage
          fraction
          epoch
          epochs
          loss
          samplesPerSec
          etaSeconds
          processed
          total
          domainsPerSec
        }
      }
    }
  }
`);
