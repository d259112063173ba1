import { Arg, Int, Query, Resolver } from 'type-graphql';
import type { PromotionReviewService } from './promotion-review.service';
import { PromotionReview } from './promotion-review.type';

@Resolver()
export class PromotionReviewResolver {
  constructor(private readonly service: PromotionReviewService) {}

  @Query(() => PromotionReview, {
    description:
      'Model `id` against the promoted model before promoting it: worse on any measure means the promotion should be confirmed; a rollback to the previously promoted model is one step.',
  })
  promotionReview(@Arg('id', () => Int) id: number) {
    return this.service.review(id);
  }
}
