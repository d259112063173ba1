import { Arg, Float, Query, Resolver } from 'type-graphql';
import { Classification } from '../predictions/prediction.type';
import { toClassification } from './classification.mapper';
import { ServingService } from './serving.service';

@Resolver()
export class ServingResolver {
  constructor(private readonly serving: ServingService) {}

  @Query(() => [Classification], {
    description:
      'Classify domains now with the promoted model (up to CLASSIFY_MAX_DOMAINS), by its verdict rule unless overridden for this call.',
  })
  async classify(
    @Arg('domains', () => [String]) domains: string[],
    @Arg('dgaThreshold', () => Float, { nullable: true, description: "Instead of the model's DGA threshold (dgaScore ≥ this → DGA)." })
    dgaThreshold?: number | null,
    @Arg('noveltyThreshold', () => Float, {
      nullable: true,
      description: "Instead of the model's novelty threshold (novelty above this → unknown family).",
    })
    noveltyThreshold?: number | null,
    @Arg('unknownFamily', () => Boolean, {
      nullable: true,
      defaultValue: true,
      description: 'false: never answer "unknown family" (the nearest family instead).',
    })
    unknownFamily?: boolean,
  ): Promise<Classification[]> {
    const { modelId, results } = await this.serving.classifyNow(domains, {
      ...(dgaThreshold != null ? { dgaThreshold } : {}),
      ...(unknownFamily === false ? { noveltyThreshold: null } : noveltyThreshold != null ? { noveltyThreshold } : {}),
    });
    return results.map((r) => toClassification(r, modelId));
  }
}
